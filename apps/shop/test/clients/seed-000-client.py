"""Seed 000's React api.js (axios, Authorization: Bearer) as a Python httpx client.

The tutorial's flow, unchanged: POST /anonymous-login → {access_token, token_type}; every
later request sends "Authorization: Bearer <access_token>"; GET /user/me →
{current_user_id}; GET /anonymous-data → {anonymous_id, data}. Like the tutorial's
get_current_user, a request without a token is 401 with "WWW-Authenticate: Bearer", on
which the tutorial's App clears its token. The shop keeps the anonymous session server-side,
so a cart added with the token shows in /anonymous-data, and POST /logout ends it.

Usage: /usr/bin/python3 seed-000-client.py BASE_URL
Prints one line per step and, last, a JSON summary.
"""
import json
import sys

import httpx

base = sys.argv[1]

with httpx.Client(base_url=base, headers={"Content-Type": "application/json"}, timeout=10) as api:
    # First visit: no token yet. The tutorial's dependency answers 401 + WWW-Authenticate: Bearer.
    first = api.get("/user/me")
    assert first.status_code == 401, first.text
    print("without a token:", first.status_code, first.headers["www-authenticate"])

    login = api.post("/anonymous-login")
    assert login.status_code == 200, login.text
    access_token = login.json()["access_token"]
    print("token_type:", login.json()["token_type"])

    # The request interceptor: every call carries the token.
    api.headers["Authorization"] = f"Bearer {access_token}"
    me = api.get("/user/me").json()
    print("user/me:", me)
    assert me["current_user_id"].startswith("anonymous_"), me

    added = api.post("/cart/add", json={"item_id": 1, "quantity": 2})
    assert added.status_code == 200, added.text
    data = api.get("/anonymous-data").json()
    print("anonymous-data:", data)
    assert data["anonymous_id"] == me["current_user_id"], data

    # Ending the anonymous session with the token itself.
    bye = api.post("/logout")
    assert bye.status_code == 200, bye.text
    gone = api.get("/user/me")
    assert gone.status_code == 401, gone.text
    print("after logout:", gone.status_code, gone.headers["www-authenticate"])

print(json.dumps({"me": me, "data": data, "after": {"status": gone.status_code, "challenge": gone.headers["www-authenticate"]}}))
