"""The SageMaker control plane of `openmme serve` driven by boto3 (Debian's python3-boto3) and the
AWS CLI, as a SageMaker user's script drives SageMaker: only the endpoint URL changes.

Run by test.sh: OPENMME_DLL names the built openmme.dll. Starts `serve` in a temporary folder on a
free loopback port and stops it (by its pid) when the tests end, whatever happened.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import uuid

import boto3
import botocore
import botocore.config


# Older botocore (Debian's 1.29) requires a role; it is recorded and never assumed.
ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"


class Serve:
    def __init__(self, access_keys=None, samples=("--count", "3", "--size", "20KB"), options=()):
        self.folder = tempfile.mkdtemp(prefix="openmme-boto3-")
        dll = os.environ["OPENMME_DLL"]
        more = []
        if access_keys:
            with open(os.path.join(self.folder, "keys"), "w") as f:
                f.writelines(f"{key} {secret}\n" for key, secret in access_keys.items())
            more = ["--access-keys", "keys"]
        subprocess.run(["dotnet", dll, "samples", "--out", os.path.join(self.folder, "mm"), *samples],
                       check=True, stdout=subprocess.DEVNULL)
        self.process = subprocess.Popen(
            ["dotnet", dll, "serve", "--port", "0", "--drain-delay", "0", "--models", "mm", "--memory-budget", "256MB", "--disk-budget", "256MB", *options, *more],
            cwd=self.folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 60
        for line in self.process.stdout:
            match = re.match(r"^OpenMME serving .* at (http://\S+) ", line)
            if match:
                self.url = match.group(1).rstrip("/")
                break
            if time.time() > deadline:
                break
        else:
            raise RuntimeError("openmme serve exited before serving")
        # Keep reading its output so it never blocks on a full pipe.
        import threading
        threading.Thread(target=lambda: [None for _ in self.process.stdout], daemon=True).start()

    def models_url(self):
        return "file://" + os.path.join(self.folder, "mm") + "/"

    def read(self, name):
        with open(os.path.join(self.folder, "mm", name), "rb") as f:
            return f.read()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def close(actual, expected):
    return len(actual) == len(expected) and all(abs(a - e) <= 1e-5 * max(1.0, abs(e)) for a, e in zip(actual, expected))


THREE_MODELS = ("fp32-000.onnx", "fp64-001.onnx", "int64-002.onnx")


def assert_reference_outputs(case, serve, name, body):
    """Every output of the answer `body` of model `name` equals the reference `samples` wrote beside it."""
    expected = json.loads(serve.read(name.replace(".onnx", ".response.json")))
    case.assertEqual([o["name"] for o in expected["outputs"]], [o["name"] for o in body["outputs"]])
    for got, want in zip(body["outputs"], expected["outputs"]):
        case.assertTrue(close(got["data"], want["data"]), f"{name} {got['name']}")


class ControlPlaneWithBoto3(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.serve = Serve()
        options = dict(endpoint_url=cls.serve.url, region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local")
        cls.sm = boto3.client("sagemaker", **options)
        cls.runtime = boto3.client("sagemaker-runtime", **options)

    @classmethod
    def tearDownClass(cls):
        cls.serve.stop()

    def invoke_three(self, endpoint, variant):
        for name in THREE_MODELS:
            response = self.runtime.invoke_endpoint(EndpointName=endpoint, TargetModel=name, ContentType="application/json",
                                                    Body=self.serve.read(name.replace(".onnx", ".request.json")))
            self.assertEqual(variant, response["InvokedProductionVariant"])
            body = json.loads(response["Body"].read())
            assert_reference_outputs(self, self.serve, name, body)

    def test_lifecycle_with_the_waiter(self):
        name = "boto3-" + uuid.uuid4().hex[:8]
        model_arn = self.sm.create_model(
            ModelName=name, ExecutionRoleArn="arn:aws:iam::000000000000:role/SageMakerRole",
            PrimaryContainer={"Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/mme:latest", "Mode": "MultiModel",
                              "ModelDataUrl": self.serve.models_url()})["ModelArn"]
        self.assertEqual(f"arn:aws:sagemaker:us-east-1:000000000000:model/{name}", model_arn)
        self.sm.create_endpoint_config(EndpointConfigName=name + "-1", ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
        self.sm.create_endpoint_config(EndpointConfigName=name + "-2", ProductionVariants=[
            {"VariantName": "Bigger", "ModelName": name, "InstanceType": "ml.m5.xlarge", "InitialInstanceCount": 2}])
        self.sm.create_endpoint(EndpointName=name, EndpointConfigName=name + "-1")
        self.sm.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 90})
        description = self.sm.describe_endpoint(EndpointName=name)
        self.assertEqual("InService", description["EndpointStatus"])
        self.assertEqual(1, description["ProductionVariants"][0]["CurrentInstanceCount"])
        self.invoke_three(name, "AllTraffic")
        self.assertIn(name, [e["EndpointName"] for e in self.sm.list_endpoints()["Endpoints"]])
        self.assertIn(name, [m["ModelName"] for m in self.sm.list_models(NameContains=name)["Models"]])

        self.sm.update_endpoint(EndpointName=name, EndpointConfigName=name + "-2")
        self.sm.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 90})
        description = self.sm.describe_endpoint(EndpointName=name)
        self.assertEqual(name + "-2", description["EndpointConfigName"])
        self.assertEqual(2, description["ProductionVariants"][0]["CurrentInstanceCount"])
        self.invoke_three(name, "Bigger")

        self.sm.delete_endpoint(EndpointName=name)
        self.sm.get_waiter("endpoint_deleted").wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        with self.assertRaises(self.runtime.exceptions.ValidationError):
            self.runtime.invoke_endpoint(EndpointName=name, TargetModel="fp32-000.onnx", ContentType="application/json", Body=b"{}")
        self.sm.delete_endpoint_config(EndpointConfigName=name + "-1")
        self.sm.delete_endpoint_config(EndpointConfigName=name + "-2")
        self.sm.delete_model(ModelName=name)

    def test_errors_are_clienterrors_with_sagemakers_codes(self):
        name = "errors-" + uuid.uuid4().hex[:8]
        self.sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Mode": "MultiModel", "ModelDataUrl": self.serve.models_url()})
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            self.sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Mode": "MultiModel", "ModelDataUrl": self.serve.models_url()})
        self.assertEqual("ValidationException", raised.exception.response["Error"]["Code"])
        self.assertEqual(f'Cannot create already existing model "arn:aws:sagemaker:us-east-1:000000000000:model/{name}".',
                         raised.exception.response["Error"]["Message"])
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            self.sm.describe_endpoint(EndpointName="missing")
        self.assertEqual("ValidationException", raised.exception.response["Error"]["Code"])
        self.assertIn('Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/missing".', str(raised.exception))
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            self.sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[
                {"VariantName": "v", "ModelName": "absent", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
        self.assertIn('Could not find model "arn:aws:sagemaker:us-east-1:000000000000:model/absent".', str(raised.exception))
        self.sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[
            {"VariantName": "v", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 5}])
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            self.sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
        self.assertEqual("ResourceLimitExceeded", raised.exception.response["Error"]["Code"])

    def aws(self, *arguments):
        """Runs the AWS CLI against serve and returns its JSON answer (None when it prints nothing)."""
        aws = shutil.which("aws")
        self.assertIsNotNone(aws, "the AWS CLI is not installed (test.sh installs Debian's awscli)")
        environment = dict(os.environ, AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local", AWS_DEFAULT_REGION="us-east-1")
        done = subprocess.run([aws, *arguments, "--endpoint-url", self.serve.url, "--output", "json"],
                              capture_output=True, text=True, env=environment, timeout=120)
        self.assertEqual(0, done.returncode, f"aws {' '.join(arguments)}: {done.stderr}")
        return json.loads(done.stdout) if done.stdout.strip() else None

    def aws_until(self, endpoint, status, config):
        """Polls describe-endpoint (the CLI's waiter sleeps 30 s between its checks), then runs the waiter itself."""
        deadline = time.time() + 90
        while time.time() < deadline:
            description = self.aws("sagemaker", "describe-endpoint", "--endpoint-name", endpoint)
            if description["EndpointStatus"] == status and description["EndpointConfigName"] == config:
                break
            self.assertNotEqual("Failed", description["EndpointStatus"], description.get("FailureReason"))
            time.sleep(0.5)
        self.aws("sagemaker", "wait", "endpoint-in-service", "--endpoint-name", endpoint)
        return self.aws("sagemaker", "describe-endpoint", "--endpoint-name", endpoint)

    def aws_invoke_three(self, endpoint, variant):
        for name in THREE_MODELS:
            request = os.path.join(self.serve.folder, "mm", name.replace(".onnx", ".request.json"))
            answer = os.path.join(self.serve.folder, "answer.json")
            printed = self.aws("sagemaker-runtime", "invoke-endpoint", "--endpoint-name", endpoint, "--target-model", name,
                               "--content-type", "application/json", "--body", "fileb://" + request, answer)
            self.assertEqual(variant, printed["InvokedProductionVariant"])
            with open(answer, "rb") as f:
                body = json.loads(f.read())
            assert_reference_outputs(self, self.serve, name, body)

    def test_the_aws_cli_runs_the_lifecycle(self):
        name = "cli-" + uuid.uuid4().hex[:8]
        container = json.dumps({"Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/mme:latest", "Mode": "MultiModel",
                                "ModelDataUrl": self.serve.models_url()})
        created = self.aws("sagemaker", "create-model", "--model-name", name, "--execution-role-arn", ROLE, "--primary-container", container)
        self.assertEqual(f"arn:aws:sagemaker:us-east-1:000000000000:model/{name}", created["ModelArn"])
        for config, variant, instance_type, count in ((name + "-1", "AllTraffic", "ml.m5.large", 1), (name + "-2", "Bigger", "ml.m5.xlarge", 2)):
            self.aws("sagemaker", "create-endpoint-config", "--endpoint-config-name", config, "--production-variants",
                     json.dumps([{"VariantName": variant, "ModelName": name, "InstanceType": instance_type, "InitialInstanceCount": count}]))
        self.aws("sagemaker", "create-endpoint", "--endpoint-name", name, "--endpoint-config-name", name + "-1")
        description = self.aws_until(name, "InService", name + "-1")
        self.assertEqual(1, description["ProductionVariants"][0]["CurrentInstanceCount"])
        self.aws_invoke_three(name, "AllTraffic")
        self.assertIn(name, [e["EndpointName"] for e in self.aws("sagemaker", "list-endpoints")["Endpoints"]])
        self.assertEqual([name], [m["ModelName"] for m in self.aws("sagemaker", "list-models", "--name-contains", name)["Models"]])

        self.aws("sagemaker", "update-endpoint", "--endpoint-name", name, "--endpoint-config-name", name + "-2")
        description = self.aws_until(name, "InService", name + "-2")
        self.assertEqual(2, description["ProductionVariants"][0]["CurrentInstanceCount"])
        self.aws_invoke_three(name, "Bigger")

        self.aws("sagemaker", "delete-endpoint", "--endpoint-name", name)
        self.aws("sagemaker", "wait", "endpoint-deleted", "--endpoint-name", name)
        self.assertNotIn(name, [e["EndpointName"] for e in self.aws("sagemaker", "list-endpoints")["Endpoints"]])
        self.aws("sagemaker", "delete-endpoint-config", "--endpoint-config-name", name + "-1")
        self.aws("sagemaker", "delete-endpoint-config", "--endpoint-config-name", name + "-2")
        self.aws("sagemaker", "delete-model", "--model-name", name)

    def test_runtime_errors_are_boto3s_typed_exceptions(self):
        with self.assertRaises(self.runtime.exceptions.ValidationError):
            self.runtime.invoke_endpoint(EndpointName="local", ContentType="application/json", Body=b"{}")
        with self.assertRaises(self.runtime.exceptions.ModelError) as raised:
            self.runtime.invoke_endpoint(EndpointName="local", TargetModel="fp32-000.onnx", ContentType="application/json", Body=b"{not json")
        self.assertEqual(400, raised.exception.response["OriginalStatusCode"])


class ColdLoadWithBoto3(unittest.TestCase):
    """A cold load that outlasts the invocation timeout is boto3's ModelNotReadyException, then the model answers."""

    @classmethod
    def setUpClass(cls):
        # A 40 MB model takes about 100 ms to load here; the invocation waits 10 ms for it.
        cls.serve = Serve(samples=("--count", "1", "--size", "40MB"), options=("--invocation-timeout", "0.01"))
        # No retries: the test sees the first answer, as a caller with retries off would.
        cls.runtime = boto3.client("sagemaker-runtime", endpoint_url=cls.serve.url, region_name="us-east-1",
                                   aws_access_key_id="local", aws_secret_access_key="local",
                                   config=botocore.config.Config(retries={"total_max_attempts": 1}))

    @classmethod
    def tearDownClass(cls):
        cls.serve.stop()

    def test_a_model_still_loading_is_model_not_ready(self):
        body = self.serve.read("fp32-000.request.json")
        with self.assertRaises(self.runtime.exceptions.ModelNotReadyException):
            self.runtime.invoke_endpoint(EndpointName="local", TargetModel="fp32-000.onnx", ContentType="application/json", Body=body)
        deadline = time.time() + 60
        while True:
            try:
                response = self.runtime.invoke_endpoint(EndpointName="local", TargetModel="fp32-000.onnx", ContentType="application/json", Body=body)
                break
            except self.runtime.exceptions.ModelNotReadyException:
                self.assertLess(time.time(), deadline, "the model never finished loading")
                time.sleep(0.2)
        assert_reference_outputs(self, self.serve, "fp32-000.onnx", json.loads(response["Body"].read()))


class SignedControlPlaneWithBoto3(unittest.TestCase):
    """With access keys configured, both APIs verify boto3's SigV4 signatures."""

    KEY, SECRET = "AKIDOPENMME", "openmme-secret-key"

    @classmethod
    def setUpClass(cls):
        cls.serve = Serve(access_keys={cls.KEY: cls.SECRET})

    @classmethod
    def tearDownClass(cls):
        cls.serve.stop()

    def client(self, service, secret):
        return boto3.client(service, endpoint_url=self.serve.url, region_name="us-east-1", aws_access_key_id=self.KEY, aws_secret_access_key=secret)

    def test_signed_requests_succeed_and_a_wrong_secret_is_refused_on_both_apis(self):
        sm, runtime = self.client("sagemaker", self.SECRET), self.client("sagemaker-runtime", self.SECRET)
        name = "signed-" + uuid.uuid4().hex[:8]
        sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Mode": "MultiModel", "ModelDataUrl": self.serve.models_url()})
        sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
        sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
        sm.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 90})
        response = runtime.invoke_endpoint(EndpointName=name, TargetModel="fp32-000.onnx", ContentType="application/json",
                                           Body=self.serve.read("fp32-000.request.json"))
        self.assertEqual("AllTraffic", response["InvokedProductionVariant"])

        wrong_sm, wrong_runtime = self.client("sagemaker", "not-the-secret"), self.client("sagemaker-runtime", "not-the-secret")
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            wrong_sm.create_model(ModelName=name + "-x", ExecutionRoleArn=ROLE, PrimaryContainer={"Mode": "MultiModel", "ModelDataUrl": self.serve.models_url()})
        self.assertEqual(403, raised.exception.response["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual("InvalidSignatureException", raised.exception.response["Error"]["Code"])
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            wrong_runtime.invoke_endpoint(EndpointName=name, TargetModel="fp32-000.onnx", ContentType="application/json",
                                          Body=self.serve.read("fp32-000.request.json"))
        self.assertEqual(403, raised.exception.response["ResponseMetadata"]["HTTPStatusCode"])
        self.assertNotIn(name + "-x", [m["ModelName"] for m in sm.list_models(NameContains=name)["Models"]])
        sm.delete_endpoint(EndpointName=name)
        sm.get_waiter("endpoint_deleted").wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


if __name__ == "__main__":
    unittest.main(verbosity=2)
