"""A real SMTP server (aiosmtpd) for `make bench` that keeps nothing: it counts the messages it
accepted and their distinct Message-IDs, and writes "<received> <distinct>" to COUNT_FILE twice
a second. Prints "PORT <n>" when ready.

Usage: smtp_counter.py COUNT_FILE
"""
import asyncio
import os
import re
import sys

from aiosmtpd.smtp import SMTP

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Counter:
    def __init__(self):
        self.received = 0
        self.ids = set()

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        head = envelope.original_content.split(b"\r\n\r\n", 1)[0]
        found = MESSAGE_ID.search(head)
        if found:
            self.ids.add(found.group(1))
        return "250 Message accepted"


async def report(counter, path):
    while True:
        with open(path + ".tmp", "w") as f:
            f.write(f"{counter.received} {len(counter.ids)}\n")
        os.replace(path + ".tmp", path)
        await asyncio.sleep(0.5)


async def main():
    counter = Counter()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(counter, hostname="bench.sink"), "127.0.0.1", 0)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    asyncio.create_task(report(counter, sys.argv[1]))
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
