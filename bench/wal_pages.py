#!/usr/bin/env python3
"""What a SQLite ledger's group commits write: the frames in its WAL, by the table or index each
page belongs to.

Copy the ledger and its WAL while the server runs (cp l.db c.db; cp l.db-wal c.db-wal), then:

    python3 bench/wal_pages.py c.db

The frames since the WAL last restarted are counted (those with the header's salt), with the
commits among them; each frame's page is named from the copy's `dbstat` table (the sqlite3 command
line tool, Debian's `sqlite3`). Pages the copy no longer has, or freelist pages, show as "?".
"""
import collections
import struct
import subprocess
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: wal_pages.py LEDGER.db  (with LEDGER.db-wal beside it)")
    db = sys.argv[1]
    wal = open(db + "-wal", "rb").read()
    if len(wal) < 32:
        sys.exit(db + "-wal: no WAL header")
    _, _, page_size, _, salt1, salt2, _, _ = struct.unpack(">IIIIIIII", wal[:32])
    pages, commits, at = [], 0, 32
    while at + 24 + page_size <= len(wal):
        page, size_after_commit, s1, s2, _, _ = struct.unpack(">IIIIII", wal[at:at + 24])
        if (s1, s2) != (salt1, salt2):
            break  # frames of an earlier generation of the log
        pages.append(page)
        commits += 1 if size_after_commit else 0
        at += 24 + page_size
    listing = subprocess.run(["sqlite3", db, "SELECT pageno, name FROM dbstat"],
                             capture_output=True, text=True, check=True).stdout
    owner = {}
    for line in listing.splitlines():
        number, name = line.split("|", 1)
        owner[int(number)] = name
    print(f"page size {page_size}, frames {len(pages)}, commits {commits}, "
          f"frames a commit {len(pages) / max(commits, 1):.1f}")
    for name, n in collections.Counter(owner.get(p, "?") for p in pages).most_common():
        print(f"  {100 * n / len(pages):5.1f}%  {n:7d}  {name}")


if __name__ == "__main__":
    main()
