"""Check that a webhook delivery came from Vigil, with Python's standard library only.

Vigil signs each delivery per Standard Webhooks (https://www.standardwebhooks.com/): the headers
`webhook-id`, `webhook-timestamp` and `webhook-signature` ("v1,<base64 HMAC-SHA256>") sign
"<id>.<timestamp>.<body>" with the channel's secret, the base64 after `whsec_`. Copy `verify()` into
your receiver, or check a saved delivery from a shell:

    VIGIL_WEBHOOK_SECRET=whsec_... python3 verify.py headers.json body.json

which prints "ok" and exits 0 when the signature is good, or prints why not and exits 1.
(Vigil's end-to-end tests run it on a real delivery, and on the same delivery with its body changed.)
"""

import os
import sys

# [verify]
import base64
import hashlib
import hmac
import json
import time

TOLERANCE_SECONDS = 5 * 60  # older or newer deliveries are refused: a replayed request


class InvalidSignature(Exception):
    pass


def verify(secret: str, headers, body: bytes) -> dict:
    """The alert in `body`, if Vigil signed it with `secret` (the channel's `whsec_...` secret)."""
    headers = {name.lower(): value for name, value in headers.items()}
    try:
        msg_id, timestamp, signatures = headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"]
    except KeyError as missing:
        raise InvalidSignature(f"missing header {missing}") from None
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        raise InvalidSignature("timestamp too old or in the future")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    expected = base64.b64encode(mac.digest()).decode()
    # The header may hold several space-separated signatures (during a secret rotation); one must match.
    for candidate in signatures.split():
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return json.loads(body)
    raise InvalidSignature("no signature matches")
# [/verify]


def main(argv: list[str]) -> int:
    if len(argv) != 3 or "VIGIL_WEBHOOK_SECRET" not in os.environ:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        headers = json.load(f)
    with open(argv[2], "rb") as f:
        body = f.read()
    try:
        alert = verify(os.environ["VIGIL_WEBHOOK_SECRET"], headers, body)
    except InvalidSignature as reason:
        print(f"invalid: {reason}", file=sys.stderr)
        return 1
    print("ok")
    print(f"{alert['type']}: {alert['summary']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
