using System.Text.Json;

namespace OpenMme.ControlPlane.Api;

public sealed class ConstraintsTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void A_name_with_an_underscore_breaks_the_pattern_in_SageMakers_words()
    {
        var constraints = new Constraints();
        constraints.Name(Json("""{"EndpointName":"my_endpoint"}"""), "EndpointName", "endpointName");

        var e = Assert.Throws<ControlPlaneException>(constraints.ThrowIfAny);

        Assert.Equal("ValidationException", e.Type);
        Assert.Equal(
            "1 validation error detected: Value 'my_endpoint' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
            e.Message);
    }

    [Fact]
    public void Every_broken_constraint_is_counted_and_listed()
    {
        var name = new string('a', 64) + "_";
        var constraints = new Constraints();
        constraints.Name(Json($$"""{"ModelName":"{{name}}"}"""), "ModelName", "modelName", model: true);

        var e = Assert.Throws<ControlPlaneException>(constraints.ThrowIfAny);

        Assert.Equal(
            $"2 validation errors detected: Value '{name}' at 'modelName' failed to satisfy constraint: Member must have length less than or equal to 63; "
            + $"Value '{name}' at 'modelName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?",
            e.Message);
    }

    [Fact]
    public void A_missing_required_member_must_not_be_null()
    {
        var constraints = new Constraints();
        constraints.Name(Json("{}"), "EndpointConfigName", "endpointConfigName");

        var e = Assert.Throws<ControlPlaneException>(constraints.ThrowIfAny);

        Assert.Equal("1 validation error detected: Value null at 'endpointConfigName' failed to satisfy constraint: Member must not be null", e.Message);
    }

    [Fact]
    public void An_enum_lists_the_values_it_takes_and_an_integer_its_bound()
    {
        var constraints = new Constraints();
        var request = Json("""{"Mode":"Many","InitialInstanceCount":0}""");
        constraints.Enum(request, "Mode", "primaryContainer.mode", ["SingleModel", "MultiModel"]);
        constraints.Integer(request, "InitialInstanceCount", "productionVariants.1.member.initialInstanceCount", 1);

        var e = Assert.Throws<ControlPlaneException>(constraints.ThrowIfAny);

        Assert.Equal(
            "2 validation errors detected: Value 'Many' at 'primaryContainer.mode' failed to satisfy constraint: Member must satisfy enum value set: [SingleModel, MultiModel]; "
            + "Value '0' at 'productionVariants.1.member.initialInstanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
            e.Message);
    }

    [Fact]
    public void Valid_names_pass()
    {
        var constraints = new Constraints();
        Assert.Equal("a--b-1", constraints.Name(Json("""{"N":"a--b-1"}"""), "N", "n"));
        Assert.Equal(new string('x', 63), constraints.Name(Json($$"""{"N":"{{new string('x', 63)}}"}"""), "N", "n"));
        constraints.ThrowIfAny();
    }
}
