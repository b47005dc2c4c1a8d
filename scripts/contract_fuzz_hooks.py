"""Schemathesis hooks for scripts/contract-fuzz.

An `Idempotency-Key` promises that requests sharing it are retries of one request: the server
refuses (422) a key reused for a different one. The fuzzer draws keys from a small space ("0",
"!") and would send one key with many different bodies, which is a client's error, not a
schema-valid request. So every valid key it sends is made unique here; invalid ones (for the
negative tests) are left as drawn.
"""

import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    for name, value in list((case.headers or {}).items()):
        if name.lower() == "idempotency-key" and isinstance(value, str) and len(value) <= 255 and VALID_KEY.match(value):
            case.headers[name] = f"fuzz-{uuid.uuid4()}"
