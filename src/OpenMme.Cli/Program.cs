using OpenMme.Cli.Commands;

return await OpenMmeCommand.InvokeAsync(args).ConfigureAwait(false);
