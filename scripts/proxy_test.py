"""Checks for scripts/proxy-test: the local server behind real reverse proxies.

Usage: proxy_test.py DIRECT_URL NAME=PROXY_URL...  (the server allows 3 creates per minute and
trusts 127.0.0.1, where the proxies connect from). Each client is a loopback address of its own.
"""

import http.client
import sys
import time
import urllib.parse


def post(url, source, headers=None, body=b"hello"):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10, source_address=(source, 0))
    conn.request("POST", "/", body=body, headers={"Host": "paste.example", "Content-Type": "text/plain", **(headers or {})})
    res = conn.getresponse()
    text = res.read().decode()
    conn.close()
    return res.status, text.strip()


def wait(url):
    deadline = time.time() + 30
    while True:
        try:
            u = urllib.parse.urlsplit(url)
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=2)
            conn.request("GET", "/health", headers={"Host": "paste.example"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        if time.time() > deadline:
            sys.exit(f"{url} did not come up")
        time.sleep(0.2)


def expect(what, got, wanted):
    if got != wanted:
        sys.exit(f"FAIL {what}: got {got!r}, wanted {wanted!r}")
    print(f"ok   {what}")


def main():
    direct, proxies = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]
    wait(direct)
    for _, url in proxies:
        wait(url)

    # From the trusted address itself, the forwarding headers shape the printed URL.
    status, printed = post(direct, "127.0.0.1", {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.1"})
    expect("a trusted peer's X-Forwarded-Proto and Host shape the URL", (status, printed.rsplit("/", 1)[0]), (201, "https://paste.example"))

    for n, (name, url) in enumerate(proxies):
        # Limits count per calendar minute: keep each block of requests inside one.
        if 60 - time.time() % 60 < 15:
            time.sleep(60 - time.time() % 60 + 0.5)
        a, b, outsider = f"127.0.{n + 1}.2", f"127.0.{n + 1}.3", f"127.0.{n + 1}.4"
        for i in range(3):
            status, printed = post(url, a)
            expect(f"{name}: client A create {i + 1} of 3", status, 201)
        expect(f"{name}: the URL carries the proxy's host", printed.rsplit("/", 1)[0], "http://paste.example")
        expect(f"{name}: client A's 4th create is limited", post(url, a)[0], 429)
        expect(f"{name}: client A cannot escape with a spoofed X-Forwarded-For", post(url, a, {"X-Forwarded-For": "203.0.113.50"})[0], 429)
        expect(f"{name}: client A cannot escape with a spoofed Forwarded", post(url, a, {"Forwarded": "for=203.0.113.51"})[0], 429)
        status, printed = post(url, b, {"X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example;proto=https"})
        expect(f"{name}: a client's own X-Forwarded-Host or Forwarded does not shape the URL", (status, printed.rsplit("/", 1)[0]), (201, "http://paste.example"))
        expect(f"{name}: client B behind the same proxy is counted apart", post(url, b)[0], 201)
        status, printed = post(direct, outsider, {"X-Forwarded-For": "198.51.100.99", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
        expect(f"{name}: forwarding headers from outside change nothing", (status, printed.split("://")[0], "evil" in printed), (201, "http", False))
        # Had the outsider's X-Forwarded-For been believed, this would count for A, who is limited.
        expect(f"{name}: an outsider naming A is not counted as A", post(direct, outsider, {"X-Forwarded-For": a})[0], 201)


main()
