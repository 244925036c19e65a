"""Seed 004's client (Flask + requests + PyJWT) against the shop.

The tutorial logs in at POST /login with JSON credentials, reads "token", and calls
GET /protected?token=...; against the shop only two things differ:

- the path: POST /token (the shop's /login is the cookie login);
- the token goes in the Authorization header: a token in the URL ends up in logs, browser
  history and Referer headers, so the shop refuses ?token= with 400 ERR_TOKEN_IN_URL.

Logging out is RFC 7009 revocation with the same (access) token; afterwards /protected is 401.

Usage: /usr/bin/python3 seed-004-client.py BASE_URL USERNAME PASSWORD
Prints one line per step and, last, a JSON summary.
"""
import json
import sys

import jwt
import requests

base, username, password = sys.argv[1:4]

# Login: the tutorial's request, with the path changed.
response = requests.post(f"{base}/token", json={"username": username, "password": password}, timeout=10)
assert response.status_code == 200, response.text
token = response.json()["token"]
print("logged in; token of", len(token), "characters")

# The claims, read without verifying (as a client may, to show who it is; the server verifies).
claims = jwt.decode(token, options={"verify_signature": False})
print("claims:", json.dumps(claims, sort_keys=True))

# The tutorial's ?token= is refused: tokens never travel in URLs.
in_url = requests.get(f"{base}/protected", params={"token": token}, timeout=10)
assert in_url.status_code == 400, in_url.text
assert in_url.json()["error"]["code"] == "ERR_TOKEN_IN_URL", in_url.text
print("?token= refused:", in_url.status_code, in_url.json()["error"]["code"])

headers = {"Authorization": f"Bearer {token}"}
protected = requests.get(f"{base}/protected", headers=headers, timeout=10)
assert protected.status_code == 200, protected.text
print("protected:", protected.json())

# Logout: revoke the ACCESS token (a refresh token works too).
revoked = requests.post(f"{base}/token/revoke", json={"token": token, "token_type_hint": "access_token"}, timeout=10)
assert revoked.status_code == 200, revoked.text
print("revoked:", revoked.json())

after = requests.get(f"{base}/protected", headers=headers, timeout=10)
assert after.status_code == 401, after.text
print("after revocation:", after.status_code, after.headers["WWW-Authenticate"])

print(json.dumps({
    "claims": claims,
    "protected": protected.json(),
    "after": {"status": after.status_code, "challenge": after.headers["WWW-Authenticate"], "code": after.json()["error"]["code"]},
}))
