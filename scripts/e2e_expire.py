"""Drives the deployed expire function with a DynamoDB Stream TTL removal (events/) and checks
that it removed the S3 body — the part of the deployment the HTTP suite cannot reach.

    python scripts/e2e_expire.py API_URL EXPIRE_FUNCTION TABLE BUCKET
"""

import base64
import json
import os
import sys
import urllib.request

import botocore.session

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENDPOINT = os.environ["AWS_ENDPOINT_URL"]


def client(service):
    return botocore.session.get_session().create_client(
        service, endpoint_url=ENDPOINT, region_name=os.environ.get("AWS_REGION", "us-east-1"),
        aws_access_key_id="test", aws_secret_access_key="test",
    )


def body_objects(s3, bucket):
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="bodies/").get("Contents", [])]


def main(api_url, function, table, bucket):
    s3, dynamodb, lam = client("s3"), client("dynamodb"), client("lambda")
    # ~70 KB that does not compress (bodies are stored deflated): over the inline limit, in S3.
    content = base64.b64encode(os.urandom(52_000))
    headers = {"Content-Type": "text/plain", "X-Origin-Verify": os.environ["PASTEBIN_TEST_ORIGIN_SECRET"]}
    request = urllib.request.Request(f"{api_url}/", data=content, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as r:
        paste_id = r.headers["Location"].lstrip("/")
    item = dynamodb.get_item(TableName=table, Key={"id": {"S": paste_id}}, ConsistentRead=True)["Item"]
    body_key = item["body_key"]["S"]
    assert f"bodies/{body_key}" in body_objects(s3, bucket), "the body is in S3"

    # What TTL does: the item goes, the stream carries its old image.
    dynamodb.delete_item(TableName=table, Key={"id": {"S": paste_id}})
    with open(os.path.join(ROOT, "events", "dynamodb-ttl-remove.json")) as f:
        event = f.read().replace("PASTE_ID", paste_id).replace("USER_DELETED_ID", "AAAAAAAAAA").replace("BODY_KEY", body_key)
    for attempt in ("first delivery", "retried delivery"):
        result = lam.invoke(FunctionName=function, Payload=event.encode())
        payload = json.loads(result["Payload"].read() or b"{}")
        assert "FunctionError" not in result, f"{attempt}: {payload}"
        assert payload.get("batchItemFailures") == [], f"{attempt}: {payload}"
        assert f"bodies/{body_key}" not in body_objects(s3, bucket), f"{attempt}: the body is gone"
    print("expire function: TTL removal released the S3 body; a retried record was a no-op")


if __name__ == "__main__":
    main(*sys.argv[1:5])
