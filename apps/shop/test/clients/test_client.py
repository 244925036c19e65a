# test_client.py: the FastAPI tutorial's client (Session ID + server-side session), as the
# tutorial has it. Only the base URL (SHOP_URL) and the password (the shop requires at
# least 8 characters) differ.
import os

import httpx

BASE = os.environ.get("SHOP_URL", "http://127.0.0.1:8000")

def main():
    with httpx.Client(base_url=BASE, follow_redirects=True) as client:
        # 1. 登入
        r = client.post("/login", data={"username": "admin", "password": "secret-secret"})
        print(r.json())

        # 2. 取得個人資料(會自動帶上 cookie)
        r = client.get("/profile")
        print(r.json())

        # 3. 加入購物車
        r = client.post("/cart/add", json={"item_id": 42})
        print(r.json())

        # 4. 登出
        r = client.post("/logout")
        print(r.json())

if __name__ == "__main__":
    main()
