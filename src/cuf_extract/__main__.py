from cuf_extract.cli import main

main()
