# form_login.py: the Flask tutorial's login form ("remember me" for a day), driven the way a
# browser drives it, with requests: GET the form, POST it, follow the redirect to the
# dashboard, log out. Prints one JSON line per step for the test to check.
import json
import os
import re
import time

import requests

BASE = os.environ.get("SHOP_URL", "http://127.0.0.1:5000")
USERNAME = "test_user"
PASSWORD = "test_password"

# A browser asks for HTML when it submits a form, so the shop answers the form with a
# redirect and pages, as the Flask app does. Without it, the shop answers in JSON.
BROWSER = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}


def hidden_csrf(html):
    match = re.search(r'<input type="hidden" name="_csrf" value="([^"]*)">', html)
    return match.group(1) if match else None


def step(name, response, **facts):
    print(json.dumps({"step": name, "status": response.status_code, "path": response.url[len(BASE):],
                      "redirects": [r.status_code for r in response.history], **facts}))


def main():
    with requests.Session() as browser:
        browser.headers.update(BROWSER)

        # A shopper with something in the cart: the visitor has a session, so the login
        # form carries that session's CSRF token in its hidden _csrf field.
        r = browser.post(f"{BASE}/cart/add", data={"item_id": "42"})
        step("cart", r, cart=r.json()["cart"])

        r = browser.get(f"{BASE}/login")
        token = hidden_csrf(r.text)
        step("login-form", r, has_csrf=token is not None, has_remember="name=\"remember\"" in r.text)

        r = browser.post(f"{BASE}/login", data={"username": USERNAME, "password": "wrong-password", "_csrf": token})
        step("wrong-password", r, says_invalid="Wrong username or password." in r.text)

        r = browser.post(f"{BASE}/login", data={"username": USERNAME, "password": PASSWORD, "remember": "on", "_csrf": token})
        remembered = [c for c in browser.cookies if c.expires is not None]
        step("login", r, greeting=re.sub(r"<[^>]+>", "", r.text).count(f"Hello, {USERNAME}! You are logged in."),
             remembered_hours=round((remembered[0].expires - time.time()) / 3600) if remembered else None)

        r = browser.post(f"{BASE}/logout", data={"_csrf": hidden_csrf(r.text)})
        step("logout", r)

        r = browser.get(f"{BASE}/dashboard")
        step("dashboard-after-logout", r)


if __name__ == "__main__":
    main()
