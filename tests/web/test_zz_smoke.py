import re
from tests import factories as f
def test_smoke(client, db, session_factory):
    f.agency(db); f.topic(db); db.commit()
    r = client.get("/")
    print(r.status_code, r.text[:300])
    assert r.status_code == 200
    r = client.get("/daftar"); assert r.status_code == 200, r.text
    token = client.cookies.get("csrftoken")
    r = client.post("/daftar", data={"username": "dewi.lestari", "display_name": "Dewi", "email": "dewi@x.go.id", "password": "Rahasia-Kuat-2025", "agency": "bkn", "_csrf_token": token}, follow_redirects=False)
    print(r.status_code, r.headers, r.text[:500])
    assert r.status_code == 303
    r = client.get("/diskusi/baru"); assert r.status_code == 200, r.text
    r = client.post("/diskusi/baru", data={"title": "Bagaimana cara cuti besar?", "body_md": "Mohon info syaratnya ya rekan.", "agency": "bkn", "topics": ["cuti-kehadiran"], "_csrf_token": token}, follow_redirects=True)
    print(r.status_code, r.url); assert r.status_code == 200, r.text[:2000]
    assert "Mohon info" in r.text
    r = client.post("/diskusi/1/balas", data={"body_md": "Lewat SIASN", "_csrf_token": token}, follow_redirects=True)
    assert "Lewat SIASN" in r.text
    r = client.get("/diskusi/999/x"); print(r.status_code); assert r.status_code == 404 and "tidak ditemukan" in r.text
    r = client.get("/api/v1/threads"); print(r.json())
    r = client.post("/api/v1/threads", json={"title": 1}); print(r.status_code, r.json())
    r = client.get("/schema/openapi.json"); print(r.status_code)
