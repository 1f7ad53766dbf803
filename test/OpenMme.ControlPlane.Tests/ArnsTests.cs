namespace OpenMme.ControlPlane;

public sealed class ArnsTests
{
    [Fact]
    public void Arns_carry_region_account_kind_and_the_lower_cased_name()
    {
        var arns = new Arns(new ControlPlaneSettings { Region = "eu-central-1", AccountId = "123456789012" });

        Assert.Equal("arn:aws:sagemaker:eu-central-1:123456789012:model/my-model", arns.Model("My-Model"));
        Assert.Equal("arn:aws:sagemaker:eu-central-1:123456789012:endpoint-config/cfg", arns.EndpointConfig("CFG"));
        Assert.Equal("arn:aws:sagemaker:eu-central-1:123456789012:endpoint/ep-1", arns.Endpoint("Ep-1"));
    }
}
