"""A script that keeps a cookie jar (requests.Session) instead of using tokens.

It sends no Origin and no Sec-Fetch-Site. Against the shop's default CSRF mode that is enough:
a request no browser would send passes. Against a shop started with CSRF_MODE=strict, once it
holds a session cookie its unsafe requests must carry the CSRF token: it reads it from
GET /csrf-token and sends it as x-csrf-token, and reads it again after login (a login issues a
new ticket, which ends the old token).

Usage: /usr/bin/python3 cookie-jar-client.py BASE_URL USERNAME PASSWORD standard|strict
Prints one line per step and, last, a JSON summary.
"""
import json
import sys

import requests

base, username, password, mode = sys.argv[1:5]
jar = requests.Session()


def csrf_token():
    response = jar.get(f"{base}/csrf-token", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]


# No cookie yet: nothing to forge, no token needed (and none handed out).
assert csrf_token() is None
login = jar.post(f"{base}/login", json={"username": username, "password": password}, timeout=10)
assert login.status_code == 200, login.text
print("logged in as", login.json()["user"]["username"])

plain = jar.post(f"{base}/cart/add", json={"item_id": 1}, timeout=10)
print("without the token:", plain.status_code, plain.json())
if mode == "strict":
    assert plain.status_code == 403, plain.text
else:
    assert plain.status_code == 200, plain.text

token = csrf_token()
added = jar.post(f"{base}/cart/add", json={"item_id": 1}, headers={"x-csrf-token": token}, timeout=10)
assert added.status_code == 200, added.text
print("with the token:", added.json())

bye = jar.post(f"{base}/logout", headers={"x-csrf-token": token}, timeout=10)
assert bye.status_code == 200, bye.text
profile = jar.get(f"{base}/profile", timeout=10)
print("after logout:", profile.status_code)

print(json.dumps({"plain": {"status": plain.status_code, "body": plain.json()}, "cart": added.json()["cart"], "after": profile.status_code}))
