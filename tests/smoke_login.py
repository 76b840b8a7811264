"""Used by .ci/run: log into a running server's admin and check the seeded pledges are listed."""

import re
import sys

import requests


def main(base: str, username: str, password: str) -> None:
    session = requests.Session()
    login = session.get(f"{base}/admin/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    response = session.post(
        f"{base}/admin/login/?next=/admin/commitments/pledge/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers={"Referer": f"{base}/admin/login/"},
        timeout=10,
    )
    response.raise_for_status()
    if "French aid announcement of 2 billion euros" not in response.text:
        sys.exit(f"logged in, but the seeded pledge list is missing (landed on {response.url})")
    print(f"smoke: logged in as {username}; seeded pledges listed at {response.url}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
