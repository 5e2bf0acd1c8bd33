"""Writes N realistic messages into a Maildir's `new` folder (as a mail server delivers them),
for the inbound-mail benchmark of `make bench`: distinct senders, German and English text,
every tenth with a small PDF attached.

Usage: fill_maildir.py MAILDIR N
"""
import base64
import os
import sys
import time

maildir, count = sys.argv[1], int(sys.argv[2])
new = os.path.join(maildir, "new")
for sub in ("new", "cur", "tmp"):
    os.makedirs(os.path.join(maildir, sub), exist_ok=True)
pdf = base64.b64encode(b"%PDF-1.4\n" + b"0" * 20000 + b"\n%%EOF\n").decode()
pdf = "\r\n".join(pdf[i:i + 76] for i in range(0, len(pdf), 76))
now = int(time.time())
for n in range(count):
    body = (
        "Guten Tag,\r\n\r\nder Drucker im B=C3=BCro druckt seit heute nicht mehr. Bitte um R=C3=BCckruf.\r\n"
        if n % 2 else "Hello,\r\n\r\nthe VPN drops every hour since Monday. Please call me back.\r\n"
    )
    head = (
        f"From: Customer {n} <customer{n}@bench{n % 50}.example>\r\nTo: support@helpdesk.test\r\n"
        f"Subject: Question {n}\r\nMessage-ID: <bench-{n}@client.example>\r\nMIME-Version: 1.0\r\n"
    )
    if n % 10 == 0:
        message = (
            head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + body + "--b\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
            "Content-Disposition: attachment; filename=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + pdf + "\r\n--b--\r\n"
        )
    else:
        message = head + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + body
    with open(os.path.join(new, f"{now}.{n}.bench"), "w", newline="") as f:
        f.write(message)
