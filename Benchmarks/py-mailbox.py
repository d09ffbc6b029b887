#!/usr/bin/env python3
"""Anchor for the ingestion benchmark: read every message with Python's mailbox module and decode
the headers Patchsite decodes (From, Subject, Date, Message-ID, In-Reply-To, References)."""
import email.header, mailbox, sys

def dec(v):
    if v is None:
        return ""
    return str(email.header.make_header(email.header.decode_header(str(v))))

n = 0
for msg in mailbox.mbox(sys.argv[1], create=False):
    for h in ("From", "Subject", "Date", "Message-ID", "In-Reply-To", "References"):
        dec(msg.get(h))
    n += 1
print(n)
