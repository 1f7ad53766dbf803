using OpenMme.Cli.Commands;

return await OpenMmeCommand.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
