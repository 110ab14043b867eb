"""The account menu in a real browser: change the password (the old one stops working, the new one
works), and sign out everywhere (another browser's session ends too). Screenshots of both dialogs:
tests/e2e/screenshots/account-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import VIEWPORT
from tests.e2e.e2e_helpers import PASSWORD, sign_up_and_sign_in

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "quiet copper falcon 2026"


def open_account_item(page: Page, username: str, item: str) -> None:
    page.get_by_role("button", name=f"Account: {username}").click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_change_password_then_only_the_new_one_works(page: Page, screenshot: Callable[[str], Path]) -> None:
    username = sign_up_and_sign_in(page)
    page.goto("/")
    expect(page.get_by_role("heading", name="Experiments")).to_be_visible()

    open_account_item(page, username, "Change password")
    dialog = page.get_by_role("dialog", name="Change password")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Current password").fill(PASSWORD)
    dialog.get_by_label("New password", exact=True).fill("password123")
    dialog.get_by_label("Confirm new password").fill("password123")
    dialog.get_by_role("button", name="Change password").click()
    # The server's policy says why (zxcvbn's warning and advice), and nothing changed.
    expect(dialog.get_by_role("alert")).to_contain_text("This password is too easy to guess")
    expect(dialog.get_by_role("alert")).to_contain_text("very common password")
    screenshot("account-change-password-refused")

    dialog.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    dialog.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    screenshot("account-change-password")
    dialog.get_by_role("button", name="Change password").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("toast").filter(has_text="Password changed")).to_be_visible()
    # This session goes on.
    page.reload()
    expect(page.get_by_role("heading", name="Experiments")).to_be_visible()

    open_account_item(page, username, "Sign out")
    expect(page).to_have_url(re.compile(r"/signin"))
    sign_in(page, username, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    sign_in(page, username.upper(), NEW_PASSWORD)  # names are one account regardless of case
    expect(page.get_by_role("heading", name="Experiments")).to_be_visible()
    expect(page.get_by_role("button", name=f"Account: {username}")).to_be_visible()


def test_sign_out_everywhere_ends_another_browsers_session(
    page: Page, browser: Browser, server_url: str, screenshot: Callable[[str], Path]
) -> None:
    username = sign_up_and_sign_in(page)
    other = browser.new_context(base_url=server_url, viewport=VIEWPORT)
    try:
        other_page = other.new_page()
        signed_in = other_page.request.post(
            "/api/auth/login", data={"username": username, "password": PASSWORD}
        )
        assert signed_in.ok, signed_in.text()
        other_page.goto("/")
        expect(other_page.get_by_role("heading", name="Experiments")).to_be_visible()

        page.goto("/")
        open_account_item(page, username, "Sign out everywhere")
        dialog = page.get_by_role("dialog", name="Sign out everywhere?")
        expect(dialog).to_contain_text(f"Every session of {username} ends now")
        screenshot("account-sign-out-everywhere")
        dialog.get_by_role("button", name="Sign out everywhere").click()
        expect(page).to_have_url(re.compile(r"/signin"))
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

        # The other browser's session is gone: its next page sends it to sign in.
        other_page.goto("/")
        expect(other_page).to_have_url(re.compile(r"/signin"))
        assert other_page.request.get("/api/auth/me").status == 401
        page.goto("/")
        expect(page).to_have_url(re.compile(r"/signin"))
    finally:
        other.close()
