"""Saved e-mails (.eml, Outlook .msg) as the documents they carry.

`reader.read_message(data, name=...)` returns a frozen `message.Message`: who sent it
and when, its subject, the attachments found at any depth (inside a .zip, a forwarded
message, an Outlook .msg attached to another, a winmail.dat), the bodies typed in the
messages (fresh text apart from the quoted history), and what was set aside (logos,
invitations, electronic signatures) or refused (limits). Nothing is written to disk;
every size and count is bounded by the constants of `message.py` (docs/limits.md).

`sniff` (light, for `inputs`) tells a message from other files; `results` turns a
message into the pipeline's results, one per reply it carries. This package is the
only one that knows MIME, MAPI properties and TNEF. Submodules are imported where used:
importing the package costs nothing.
"""
