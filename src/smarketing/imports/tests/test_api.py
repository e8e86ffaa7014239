
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smarketing.core.jobs import run_burst
from smarketing.imports.tests.files import bank_rows, hubspot_contacts
from smarketing.people.models import Contact

pytestmark = pytest.mark.django_db(transaction=True)


def _upload(path):
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def test_an_uploaded_file_is_imported_by_the_worker_and_its_failures_downloaded(
        tmp_path, api_as):
    api = api_as("marketing")
    path = hubspot_contacts(tmp_path / "c.csv", bank_rows(9))
    path.write_bytes(path.read_bytes() + b"1,X,Y,not-an-email,job,Lead,,,,,\r\n")
    created = api.client.post("/api/v1/imports", {"file": _upload(path)})
    assert created.status_code == 201, created.content
    run = created.json()
    assert (run["kind"], run["preset"], run["status"]) == ("contacts", "hubspot_contacts",
                                                           "queued")
    assert run_burst("test-worker") == 1
    done = api.get(f"/api/v1/imports/{run['id']}").json()
    assert (done["status"], done["created"], done["errors"], done["total_rows"]) == (
        "finished", 9, 1, 10)
    assert Contact.objects.count() == 9
    errors = api.get(f"/api/v1/imports/{run['id']}/errors.csv")
    lines = b"".join(errors.streaming_content).decode().splitlines()
    assert lines[0].endswith(",error") and "line 11, column Email" in lines[1]
    assert api.get("/api/v1/imports").json()["count"] == 1


def test_a_preview_maps_the_first_rows_without_writing(tmp_path, api_as):
    path = hubspot_contacts(tmp_path / "c.csv", bank_rows(3))
    response = api_as("admin").client.post("/api/v1/imports/preview", {"file": _upload(path)})
    body = response.json()
    assert body["preset"] == "hubspot_contacts" and body["columns"]["Email"] == "email"
    assert body["rows"][0]["values"]["email"] == "client1@bank.example"
    assert not Contact.objects.exists()


def test_reps_may_not_import_and_do_not_see_others_imports(tmp_path, api_as):
    upload = SimpleUploadedFile("c.csv", b"email\nx@y.example\n")
    assert api_as("rep").client.post("/api/v1/imports", {"file": upload}).status_code == 403
    run = api_as("admin").client.post(
        "/api/v1/imports", {"file": SimpleUploadedFile("c.csv", b"email\nx@y.example\n"),
                            "kind": "contacts"}).json()
    assert api_as("marketing").get(f"/api/v1/imports/{run['id']}").status_code == 404


def test_a_bad_kind_or_mapping_is_a_422_naming_the_field(api_as):
    api = api_as("admin")
    bad = api.client.post("/api/v1/imports", {"file": SimpleUploadedFile(
        "c.csv", b"whatever\n1\n")})
    assert (bad.status_code, bad.json()["field"]) == (422, "kind")
    worse = api.client.post("/api/v1/imports", {
        "file": SimpleUploadedFile("c.csv", b"email\n"), "kind": "contacts",
        "mapping": "columns: [1, 2"})
    assert (worse.status_code, worse.json()["field"]) == (422, "mapping")
