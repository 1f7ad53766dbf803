namespace OpenMme.Cli.Commands;

/// <summary>What a user reads from help and from a command line that does not parse.</summary>
public sealed class OpenMmeCommandTests
{
    public static TheoryData<string> Commands => [.. OpenMmeCommand.Create().Subcommands.Select(c => c.Name)];

    [Fact]
    public void Every_option_and_argument_of_every_command_says_what_it_is()
    {
        foreach (var command in OpenMmeCommand.Create().Subcommands)
        {
            foreach (var option in command.Options)
            {
                Assert.False(string.IsNullOrWhiteSpace(option.Description), $"openmme {command.Name} {option.Name} has no description");
            }

            foreach (var argument in command.Arguments)
            {
                Assert.False(string.IsNullOrWhiteSpace(argument.Description), $"openmme {command.Name} <{argument.Name}> has no description");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_shows_no_placeholder_defaults_or_type_names(string command)
    {
        var (exitCode, output, error) = await CommandRun.InvokeAsync(command, "--help");

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        // The usage line names the host executable, which in this test is the test host.
        Assert.Contains($" {command} ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("[default: -]", output, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_help_names_every_kind_of_model_source()
    {
        var (_, output, _) = await CommandRun.InvokeAsync("serve", "--help");

        Assert.Contains("file:///DIR/", output, StringComparison.Ordinal);
        Assert.Contains("s3://bucket/prefix/", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_help_offers_both_loops()
    {
        var (_, output, _) = await CommandRun.InvokeAsync("bench", "--help");

        Assert.Contains("closed loop or open loop at a fixed --rate", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_reads_standard_input_when_no_file_is_given()
    {
        var (_, output, _) = await CommandRun.InvokeAsync("invoke", "--help");

        Assert.Contains(" invoke [<body>] [options]", output, StringComparison.Ordinal);
        Assert.Contains("standard input when omitted or -", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve", "--port", "abc", "--port expects a whole number, not 'abc'.")]
    [InlineData("serve", "--drain-delay", "soon", "--drain-delay expects a number such as 2.5, not 'soon'.")]
    [InlineData("bench", "--max-requests", "1e3", "--max-requests expects a whole number, not '1e3'.")]
    [InlineData("samples", "--count", "x", "--count expects a whole number, not 'x'.")]
    public async Task A_number_that_does_not_parse_is_named_in_words(string command, string option, string value, string message)
    {
        var (exitCode, output, error) = await CommandRun.InvokeAsync(command, option, value);

        Assert.Equal(OpenMmeCommand.UsageError, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains($"See 'openmme {command} --help'.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_eviction_policy_is_refused_while_parsing_with_the_valid_names()
    {
        var (exitCode, _, error) = await CommandRun.InvokeAsync("serve", "--eviction-policy", "lfu", "--port", "0");

        Assert.Equal(OpenMmeCommand.UsageError, exitCode);
        Assert.Contains("'lfu'", error, StringComparison.Ordinal);
        Assert.Contains("'lru'", error, StringComparison.Ordinal);
        Assert.Contains("'gdsf'", error, StringComparison.Ordinal);
        Assert.Contains("'tinylfu'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error, StringComparison.Ordinal);
    }
}
