"""Deploys the four function zips to a Lambda + API Gateway v2 stand-in (ministack) exactly as
template.yaml wires them, and prints the API's base URL.

    python scripts/e2e_deploy.py            # needs AWS_ENDPOINT_URL; zips in target/lambda/

The routes are read from template.yaml (every HttpApi event of every function), so the stand-in
gets the template's routing, not a copy of it. The functions get the template's environment plus
AWS_ENDPOINT_URL (the stand-in does not inject it) and a public URL equal to the API's base.
"""

import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.request

import botocore.session
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
REGION = os.environ.get("AWS_REGION", "us-east-1")


def client(service):
    return botocore.session.get_session().create_client(
        service, endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test"
    )


class CfnLoader(yaml.SafeLoader):
    """Reads template.yaml, keeping CloudFormation tags as plain data."""


CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None)


def template_functions():
    with open(os.path.join(ROOT, "template.yaml")) as f:
        template = yaml.load(f, Loader=CfnLoader)
    functions = {}
    for name, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        binary = resource["Metadata"]["BuildProperties"]["Binary"]
        routes = [
            (e["Properties"]["Method"], e["Properties"]["Path"])
            for e in (resource["Properties"].get("Events") or {}).values()
            if e["Type"] == "HttpApi"
        ]
        functions[binary] = routes
    return functions


def main():
    suffix = secrets.token_hex(4)
    lam, apigw = client("lambda"), client("apigatewayv2")
    api = apigw.create_api(Name=f"pastebin-e2e-{suffix}", ProtocolType="HTTP")
    api_id = api["ApiId"]
    base = f"{ENDPOINT}/_aws/execute-api/{api_id}/$default"
    environment = {
        "AWS_ENDPOINT_URL": ENDPOINT,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "PASTEBIN_STORE": "aws",
        "PASTEBIN_TABLE": f"e2e-{suffix}",
        "PASTEBIN_BUCKET": f"e2e-{suffix}",
        "PASTEBIN_HASH_KEY": "e2e-hash-key-0123456789abcdef0123456789",
        "PASTEBIN_ORIGIN_SECRET": "e2e-origin-secret-0123456789abcdef0123",
        # The functions create their table and bucket at cold start (the stand-in has no
        # CloudFormation run of the template here).
        "PASTEBIN_CREATE_RESOURCES": "true",
        "PASTEBIN_PUBLIC_URL": base,
        # The suite's concurrency tests come from one address; its rate-limit test needs a
        # server of its own and does not run here.
        "PASTEBIN_CREATE_RATE": "0",
        "PASTEBIN_READ_RATE": "0",
        "PASTEBIN_LOG": "warn",
    }
    for binary, routes in template_functions().items():
        with open(os.path.join(ROOT, "target", "lambda", binary, "bootstrap.zip"), "rb") as f:
            code = f.read()
        fn = lam.create_function(
            FunctionName=f"{binary}-{suffix}",
            Runtime="provided.al2023",
            Handler="bootstrap",
            Role="arn:aws:iam::000000000000:role/pastebin-e2e",
            Code={"ZipFile": code},
            Architectures=["x86_64"],
            MemorySize=256,
            Timeout=30,
            Environment={"Variables": environment},
        )
        arn = fn["FunctionArn"]
        if binary == "expire":
            print(f"EXPIRE_FUNCTION={fn['FunctionName']}")
        if not routes:
            continue
        integration = apigw.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn, PayloadFormatVersion="2.0"
        )
        for method, path in routes:
            apigw.create_route(ApiId=api_id, RouteKey=f"{method} {path}", Target=f"integrations/{integration['IntegrationId']}")
    try:
        apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    except apigw.exceptions.ConflictException:
        pass
    # Wait until the fetch function answers through the API (cold start creates the table), as
    # CloudFront would call it: with the origin secret.
    secret = environment["PASTEBIN_ORIGIN_SECRET"]
    deadline = time.time() + 90
    while True:
        try:
            request = urllib.request.Request(f"{base}/health", headers={"X-Origin-Verify": secret})
            with urllib.request.urlopen(request, timeout=30) as r:
                if r.status == 200:
                    break
        except Exception as e:  # noqa: BLE001 - keep polling until the deadline
            if time.time() > deadline:
                sys.exit(f"the API did not become healthy: {e}")
        time.sleep(1)
    # One door: the same request without the secret is refused by the function.
    try:
        urllib.request.urlopen(f"{base}/health", timeout=30)
        sys.exit("the API answered a request without the origin secret")
    except urllib.error.HTTPError as e:
        if e.code != 403:
            sys.exit(f"a request without the origin secret got {e.code}, not 403")
    print(f"API_URL={base}")
    print(f"ORIGIN_SECRET={secret}")
    print(f"TABLE={environment['PASTEBIN_TABLE']}")
    print(f"BUCKET={environment['PASTEBIN_BUCKET']}")


if __name__ == "__main__":
    main()
