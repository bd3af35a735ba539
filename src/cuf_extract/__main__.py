from cuf_extract.cli import main

# Guarded: with the "spawn" start method (Windows, macOS), worker processes import the
# main module again, and must not start a second run.
if __name__ == "__main__":
    main()
