"""A local SMTP server (aiosmtpd, the suite's devkit.smtp_server) in its own process, so
that receiving mail does not compete for the GIL with the worker being measured.

Prints its port on the first line; on a line on stdin (or its end) prints how many messages it
accepted, then exits.
"""

import sys

from devkit.smtp_server import SmtpServer


def main() -> int:
    server = SmtpServer()
    server.start()
    print(server.port, flush=True)
    try:
        sys.stdin.readline()
    finally:
        print(len(server.messages), flush=True)
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
