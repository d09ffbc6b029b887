#!/usr/bin/env python3
"""Anchor for the `series` benchmark: read every message of an mbox with Python's mailbox
module, with its body transfer-decoded (every leaf of a multipart one). Prints the count."""
import mailbox
import sys

count = 0
size = 0
for message in mailbox.mbox(sys.argv[1], create=False):
    for part in message.walk():
        if not part.is_multipart():
            size += len(part.get_payload(decode=True) or b"")
    count += 1
print(count)
