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


# Older botocore (Debian's 1.29) requires a role; it is recorded and never assumed.
ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"


class Serve:
    def __init__(self, access_keys=None):
        self.folder = tempfile.mkdtemp(prefix="openmme-boto3-")
        dll = os.environ["OPENMME_DLL"]
        more = []
        if access_keys:
            with open(os.path.join(self.folder, "keys"), "w") as f:
                f.writelines(f"{key} {secret}\n" for key, secret in access_keys.items())
            more = ["--access-keys", "keys"]
        subprocess.run(["dotnet", dll, "samples", "--out", os.path.join(self.folder, "mm"), "--count", "3", "--size", "20KB"],
                       check=True, stdout=subprocess.DEVNULL)
        self.process = subprocess.Popen(
            ["dotnet", dll, "serve", "--port", "0", "--drain-delay", "0", "--memory-budget", "256MB", "--disk-budget", "256MB", *more],
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
        for name in ("fp32-000.onnx", "fp64-001.onnx", "int64-002.onnx"):
            response = self.runtime.invoke_endpoint(EndpointName=endpoint, TargetModel=name, ContentType="application/json",
                                                    Body=self.serve.read(name.replace(".onnx", ".request.json")))
            self.assertEqual(variant, response["InvokedProductionVariant"])
            body = json.loads(response["Body"].read())
            expected = json.loads(self.serve.read(name.replace(".onnx", ".response.json")))
            for got, want in zip(body["outputs"], expected["outputs"]):
                self.assertEqual(want["name"], got["name"])
                self.assertTrue(close(got["data"], want["data"]), f"{name} {got['name']}")

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

    def test_the_aws_cli_lists_models(self):
        aws = shutil.which("aws")
        if aws is None:
            self.skipTest("the AWS CLI is not installed")
        name = "cli-" + uuid.uuid4().hex[:8]
        self.sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Mode": "MultiModel", "ModelDataUrl": self.serve.models_url()})
        environment = dict(os.environ, AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local", AWS_DEFAULT_REGION="us-east-1")
        listed = subprocess.run([aws, "sagemaker", "list-models", "--name-contains", name, "--endpoint-url", self.serve.url],
                                check=True, capture_output=True, text=True, env=environment)
        self.assertEqual([name], [m["ModelName"] for m in json.loads(listed.stdout)["Models"]])


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
