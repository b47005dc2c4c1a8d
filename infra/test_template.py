"""Checks of template.yaml that cfn-lint cannot know to make: the properties that keep the
deployment safe to put in front of the public and its bill bounded.

    .venv-template/bin/python -m unittest infra/test_template.py      (scripts/test runs it)
"""

import os
import unittest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


class Tag:
    """A CloudFormation intrinsic (`!Ref X`), kept as its name and argument."""

    def __init__(self, name, value):
        self.name, self.value = name, value

    def __eq__(self, other):
        return isinstance(other, Tag) and (self.name, self.value) == (other.name, other.value)

    def __repr__(self):
        return f"!{self.name} {self.value!r}"


class Loader(yaml.SafeLoader):
    pass


def construct_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return Tag(suffix, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return Tag(suffix, loader.construct_sequence(node, deep=True))
    return Tag(suffix, loader.construct_mapping(node, deep=True))


Loader.add_multi_constructor("!", construct_tag)

with open(os.path.join(ROOT, "template.yaml")) as f:
    TEMPLATE = yaml.load(f, Loader=Loader)
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = {name: r for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"}


def env(function):
    return FUNCTIONS[function]["Properties"].get("Environment", {}).get("Variables", {})


def refs(value):
    """Every name a value refers to with !Ref, however deeply nested."""
    if isinstance(value, Tag):
        return ({value.value} if value.name == "Ref" and isinstance(value.value, str) else set()) | refs(value.value)
    if isinstance(value, dict):
        return set().union(*(refs(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(refs(v) for v in value)) if value else set()
    return set()


class OneDoor(unittest.TestCase):
    def test_the_origin_secret_goes_only_to_the_http_functions_and_rotation_is_possible(self):
        self.assertNotIn("PASTEBIN_ORIGIN_SECRET", TEMPLATE["Globals"]["Function"]["Environment"]["Variables"])
        for function in ["CreateFunction", "FetchFunction", "DeleteFunction"]:
            self.assertEqual(env(function)["PASTEBIN_ORIGIN_SECRET"], Tag("Ref", "OriginSecret"))
            self.assertIn("OriginSecretPrevious", refs(env(function)["PASTEBIN_ORIGIN_SECRET_PREVIOUS"]))
        self.assertNotIn("PASTEBIN_ORIGIN_SECRET", env("ExpireFunction"))
        self.assertIn("origin", TEMPLATE["Outputs"]["ApiUrl"]["Description"])

    def test_the_hash_key_goes_only_to_the_function_that_creates(self):
        self.assertNotIn("PASTEBIN_HASH_KEY", TEMPLATE["Globals"]["Function"]["Environment"]["Variables"])
        holders = [f for f in FUNCTIONS if "HashKey" in refs(env(f))]
        self.assertEqual(holders, ["CreateFunction"])


class Caching(unittest.TestCase):
    def cache_policies(self):
        return {n: r["Properties"]["CachePolicyConfig"] for n, r in RESOURCES.items() if r["Type"] == "AWS::CloudFront::CachePolicy"}

    def test_no_cache_key_holds_authorization_and_no_lifetime_exceeds_the_shared_one(self):
        for name, config in self.cache_policies().items():
            params = config["ParametersInCacheKeyAndForwardedToOrigin"]
            headers = params["HeadersConfig"].get("Headers", [])
            self.assertNotIn("authorization", [h.lower() for h in headers], name)
            self.assertEqual(config["MaxTTL"], Tag("Ref", "SharedCacheSeconds"), name)
            self.assertEqual(config["MinTTL"], 0, name)
            query = params["QueryStringsConfig"]
            self.assertIn(query["QueryStringBehavior"], ["none", "whitelist"], name)
            self.assertLessEqual(set(query.get("QueryStrings", [])), {"download"}, name)
        self.assertEqual(TEMPLATE["Parameters"]["SharedCacheSeconds"]["Default"], 300)
        variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
        self.assertEqual(variables["PASTEBIN_SHARED_MAX_AGE"], Tag("Ref", "SharedCacheSeconds"))

    def test_every_behavior_runs_the_request_function_and_every_caching_one_the_response_function(self):
        config = RESOURCES["PastesCdn"]["Properties"]["DistributionConfig"]
        behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
        for behavior in behaviors:
            events = {a["EventType"]: a["FunctionARN"] for a in behavior.get("FunctionAssociations", [])}
            where = behavior.get("PathPattern", "default")
            self.assertIn("viewer-request", events, where)
            caches_pastes = behavior["CachePolicyId"] != CACHING_DISABLED and where != "/assets/*"
            self.assertEqual("viewer-response" in events, caches_pastes, where)

    def test_share_links_have_the_last_behavior_and_only_the_create_page_the_default(self):
        # CloudFront takes the first behavior whose pattern matches: `/?*` matches every path
        # but `/`, so anything after it would never be used, and the default sees only `/`.
        config = RESOURCES["PastesCdn"]["Properties"]["DistributionConfig"]
        patterns = [b["PathPattern"] for b in config["CacheBehaviors"]]
        self.assertEqual(patterns[-1], "/?*")
        self.assertEqual(patterns.count("/?*"), 1)
        share = config["CacheBehaviors"][-1]
        self.assertEqual(share["CachePolicyId"], Tag("Ref", "ShareLinkCachePolicy"))
        self.assertIn("DELETE", share["AllowedMethods"])
        default = config["DefaultCacheBehavior"]
        self.assertEqual(default["CachePolicyId"], CACHING_DISABLED)
        self.assertEqual([a["EventType"] for a in default["FunctionAssociations"]], ["viewer-request"])

    def test_stale_copies_are_refused_by_the_origin_headers_too(self):
        with open(os.path.join(ROOT, "functions/http/src/cache.rs")) as f:
            self.assertIn("stale-if-error=0", f.read())


class Spend(unittest.TestCase):
    def test_invalidations_are_bounded_by_a_daily_allowance_inside_the_free_tier(self):
        per_day = TEMPLATE["Parameters"]["MaxInvalidationPathsPerDay"]["Default"]
        self.assertLessEqual(per_day * 31, 1000, "the default stays within CloudFront's free 1,000 paths a month")
        self.assertEqual(env("ExpireFunction")["PASTEBIN_INVALIDATION_PATHS_PER_DAY"], Tag("Ref", "MaxInvalidationPathsPerDay"))

    def test_deletes_are_rate_limited(self):
        variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
        self.assertEqual(variables["PASTEBIN_DELETE_RATE"], Tag("Ref", "DeleteRatePerMinute"))
        self.assertGreater(TEMPLATE["Parameters"]["DeleteRatePerMinute"]["Default"], 0)


class Operations(unittest.TestCase):
    def test_the_stream_gives_up_into_an_alarmed_queue_instead_of_blocking_its_shard(self):
        stream = FUNCTIONS["ExpireFunction"]["Properties"]["Events"]["Removals"]["Properties"]
        self.assertEqual(stream["DestinationConfig"]["OnFailure"]["Type"], "SQS")
        queue = stream["DestinationConfig"]["OnFailure"]["Destination"]
        self.assertEqual(queue, Tag("GetAtt", "ExpireFailures.Arn"))
        self.assertTrue(60 <= stream["MaximumRecordAgeInSeconds"] <= 86400)
        self.assertIn("ReportBatchItemFailures", stream["FunctionResponseTypes"])
        alarm = RESOURCES["ExpireFailuresAlarm"]["Properties"]
        self.assertEqual(alarm["Namespace"], "AWS/SQS")
        self.assertEqual(alarm["Dimensions"][0]["Value"], Tag("GetAtt", "ExpireFailures.QueueName"))

    def test_every_function_has_its_own_throttles_alarm(self):
        throttled = set()
        for resource in RESOURCES.values():
            props = resource.get("Properties", {})
            if resource["Type"] == "AWS::CloudWatch::Alarm" and props.get("MetricName") == "Throttles":
                dims = {d["Name"]: d["Value"] for d in props["Dimensions"]}
                throttled.add(dims["FunctionName"].value)
        self.assertEqual(throttled, set(FUNCTIONS))

    def test_writers_have_reserved_concurrency_that_a_read_flood_cannot_take(self):
        for function, parameter in [("CreateFunction", "CreateReservedConcurrency"), ("DeleteFunction", "DeleteReservedConcurrency"), ("ExpireFunction", "ExpireReservedConcurrency")]:
            self.assertIn(parameter, refs(FUNCTIONS[function]["Properties"]["ReservedConcurrentExecutions"]))
            self.assertGreater(TEMPLATE["Parameters"][parameter]["Default"], 0)
        self.assertNotIn("ReservedConcurrentExecutions", FUNCTIONS["FetchFunction"]["Properties"])

    def test_logs_keep_the_platform_report_lines(self):
        logging = TEMPLATE["Globals"]["Function"]["LoggingConfig"]
        self.assertIn(logging["SystemLogLevel"], ["DEBUG", "INFO"])
        with open(os.path.join(ROOT, "functions/lambda/src/emf.rs")) as f:
            self.assertIn('"FATAL"', f.read(), "metric lines carry a level no ApplicationLogLevel drops")

    def test_the_function_timeout_leaves_room_above_the_storage_budget(self):
        import re

        with open(os.path.join(ROOT, "functions/aws/src/clients.rs")) as f:
            budget = int(re.search(r"REQUEST_BUDGET: Duration = Duration::from_secs\((\d+)\)", f.read()).group(1))
        timeout = TEMPLATE["Globals"]["Function"]["Timeout"]
        self.assertGreaterEqual(timeout, budget + 2, "a request out of storage time still has time to answer")

    def test_waf_is_refused_outside_us_east_1(self):
        rule = TEMPLATE["Rules"]["WafNeedsUsEast1"]
        self.assertEqual(rule["RuleCondition"], Tag("Equals", [Tag("Ref", "EnableWaf"), "true"]))
        self.assertEqual(rule["Assertions"][0]["Assert"], Tag("Equals", [Tag("Ref", "AWS::Region"), "us-east-1"]))

    def test_lowering_the_maximum_expiry_never_deletes_a_live_body(self):
        rules = RESOURCES["BodiesBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
        bodies = next(r for r in rules if r.get("Prefix") == "bodies/")
        days = bodies["ExpirationInDays"]
        self.assertIsInstance(days, int, "a constant, not derived from MaxExpiryDays")
        self.assertGreaterEqual(days, TEMPLATE["Parameters"]["MaxExpiryDays"]["MaxValue"] + 1)


class CostModel(unittest.TestCase):
    def test_bench_cost_counts_the_functions_each_behavior_runs(self):
        # bench/cost reads the associations from the template's text (it runs without PyYAML);
        # this holds its reading to the parsed template, so the cost figures cannot drift.
        import importlib.machinery
        import importlib.util

        loader = importlib.machinery.SourceFileLoader("bench_cost", os.path.join(ROOT, "bench", "cost"))
        spec = importlib.util.spec_from_loader("bench_cost", loader)
        cost = importlib.util.module_from_spec(spec)
        loader.exec_module(cost)
        config = RESOURCES["PastesCdn"]["Properties"]["DistributionConfig"]
        expected = {"*": len(config["DefaultCacheBehavior"]["FunctionAssociations"])}
        for behavior in config["CacheBehaviors"]:
            expected[behavior["PathPattern"]] = len(behavior.get("FunctionAssociations", []))
        self.assertEqual(cost.edge_functions(), expected)


if __name__ == "__main__":
    unittest.main()
