using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace OpenMme.Cli.Commands;

/// <summary>
/// Parsers for numeric options whose errors say in words what was expected
/// (<c>--port expects a whole number, not 'abc'.</c>), where System.CommandLine would name a
/// .NET type (<c>expected type 'System.Int32'</c>). Set as an option's <c>CustomParser</c>.
/// </summary>
internal static class OptionParsers
{
    private const string WholeNumber = "a whole number";
    private const string AnyNumber = "a number such as 2.5";

    public static int Int(ArgumentResult result) => Parse<int>(result, NumberStyles.Integer, WholeNumber);

    public static int? OptionalInt(ArgumentResult result) => Parse<int>(result, NumberStyles.Integer, WholeNumber);

    public static long Long(ArgumentResult result) => Parse<long>(result, NumberStyles.Integer, WholeNumber);

    public static double Double(ArgumentResult result) => Parse<double>(result, NumberStyles.Float, AnyNumber);

    public static double? OptionalDouble(ArgumentResult result) => Parse<double>(result, NumberStyles.Float, AnyNumber);

    private static T Parse<T>(ArgumentResult result, NumberStyles styles, string expected)
        where T : struct, INumber<T>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (T.TryParse(text, styles, CultureInfo.InvariantCulture, out var value)
            && (value is not double d || double.IsFinite(d)))
        {
            return value;
        }

        var name = result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
        result.AddError($"{name} expects {expected}, not '{text}'.");
        return default;
    }
}
