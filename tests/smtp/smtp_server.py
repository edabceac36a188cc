"""A real SMTP server on loopback for the group-message tests (Debian's
python3-aiosmtpd): STARTTLS required, AUTH with one password, and every
message accepted written to a folder as <n>.eml, its envelope recipient on
the first line ("X-Test-Rcpt: ..."), so a test counts what each recipient
received.

Arguments: PORT CERT KEY FOLDER PASSWORD [REFUSE] [DROP] [DELAY_MS]
  REFUSE    comma-separated addresses refused at RCPT with 550
  DROP      an address at whose RCPT the server drops the connection (once)
  DELAY_MS  a pause before each message is accepted (the kill test)
Prints "ready" when it listens.
"""

import asyncio
import os
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    port, cert, key, folder, password = sys.argv[1:6]
    refuse = set(filter(None, (sys.argv[6] if len(sys.argv) > 6 else "").split(",")))
    drop = sys.argv[7] if len(sys.argv) > 7 else ""
    delay = int(sys.argv[8]) / 1000 if len(sys.argv) > 8 else 0
    dropped = []
    counter = [0]

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address in refuse:
                return "550 5.1.1 No such mailbox here"
            if address == drop and not dropped:
                dropped.append(address)
                server.transport.close()
                return None
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            if delay:
                await asyncio.sleep(delay)
            counter[0] += 1
            name = os.path.join(folder, "%d-%d.eml" % (os.getpid(), counter[0]))
            with open(name + ".part", "wb") as f:
                for rcpt in envelope.rcpt_tos:
                    f.write(("X-Test-Rcpt: %s\r\n" % rcpt).encode())
                f.write(envelope.original_content or envelope.content)
            os.rename(name + ".part", name)
            return "250 Message accepted for delivery"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=int(port),
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


main()
