"""Authorization matrix: every moderation route, page and API, for every kind of caller."""
import pytest

from tests import moderation_factories as mf
from tests.web.moderation_world import build_world, guessed_routes, routes

ROLES = ["anonymous", "member", "mod_out", "mod_in", "admin"]


def call(client, route, headers: dict, token: str):
    if route.api:
        kwargs = {"json": route.body} if route.method == "POST" else {}
        return client.request(route.method, route.path, headers=headers, follow_redirects=False, **kwargs)
    data = {**route.body, "_csrf_token": token} if route.method == "POST" else None
    return client.request(route.method, route.path, data=data, follow_redirects=False)


def expected(role: str, route) -> int:
    if role == "anonymous":
        return 401 if route.api or route.method == "POST" else 303
    if role == "member":
        return 403
    if route.scope == "admin":
        return route.ok if role == "admin" else 403
    if role == "mod_out" and route.scope == "object":
        return 403
    return route.ok


@pytest.mark.parametrize("role", ROLES)
def test_every_moderation_route_answers_each_kind_of_caller_as_the_matrix_says(client, db, role):
    world = build_world(db)
    token = mf.csrf(client)
    headers = {}
    if role != "anonymous":
        mf.login(client, db, world[role])
        headers = mf.api_token(db, world[role])
    problems = []
    for route in routes(world):
        response = call(client, route, headers, token)
        want = expected(role, route)
        if response.status_code != want:
            problems.append(f"{route.method} {route.path}: {response.status_code} != {want} {response.text[:200]}")
        elif want == 303 and role == "anonymous":
            assert response.headers["location"].startswith("/masuk?lanjut=")
        elif want == 403:
            assert "Hanya moderator" in response.text or "Hanya admin" in response.text, response.text[:300]
    assert not problems, "\n".join(problems)


def test_a_member_guessing_ids_gets_403_and_never_learns_whether_they_exist(client, db):
    world = build_world(db)
    token = mf.csrf(client)
    mf.login(client, db, world["member"])
    headers = mf.api_token(db, world["member"])
    for route in guessed_routes():
        response = call(client, route, headers, token)
        assert response.status_code == 403, (route.path, response.status_code)
        assert "Hanya moderator yang berwenang" in response.text
    mf.login(client, db, world["mod_in"])
    moderator_headers = mf.api_token(db, world["mod_in"])
    for route in guessed_routes():
        assert call(client, route, moderator_headers, token).status_code == 404, route.path


def test_the_moderation_link_and_toolbar_appear_only_for_moderators_who_may_moderate_the_thread(client, db):
    world = build_world(db)
    thread = world["t0"]
    url = f"/diskusi/{thread.id}/{thread.slug}"
    mf.login(client, db, world["member"])
    page = client.get(url).text
    assert 'data-testid="mod-toolbar"' not in page and 'href="/moderasi"' not in page
    mf.login(client, db, world["mod_out"])
    assert 'data-testid="mod-toolbar"' not in client.get(url).text
    mf.login(client, db, world["mod_in"])
    page = client.get(url).text
    assert 'data-testid="mod-toolbar"' in page and 'href="/moderasi"' in page
