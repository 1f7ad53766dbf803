using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace OpenMme.Cli.Commands;

/// <summary>Writes tables to a command's output, which may be a terminal, a pipe, a file or a test's writer.</summary>
internal static class ConsoleTables
{
    /// <summary>
    /// Width for output that is not a terminal: wide enough that no table row wraps in a log or a
    /// pasted result (Spectre would assume 80 columns).
    /// </summary>
    private const int UnboundedWidth = 512;

    public static void Write(TextWriter output, IRenderable table)
    {
        var target = new AnsiConsoleOutput(output);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = target.IsTerminal ? target.Width : UnboundedWidth;
        console.Write(table);

        // Borders without a top or bottom rule (markdown) still render those rows, as spaces.
        foreach (var line in text.ToString().Split('\n'))
        {
            var trimmed = line.TrimEnd();
            if (trimmed.Length > 0)
            {
                output.WriteLine(trimmed);
            }
        }
    }

    /// <summary>A cell or header taken as plain text (Spectre would read brackets as markup).</summary>
    public static Text Cell(string text) => new(text);

    /// <summary>A right-aligned column for numbers.</summary>
    public static TableColumn NumberColumn(string header) => new TableColumn(Cell(header)).RightAligned().NoWrap();

    /// <summary>A left-aligned column for names.</summary>
    public static TableColumn TextColumn(string header) => new TableColumn(Cell(header)).NoWrap();
}
