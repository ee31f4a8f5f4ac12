// The qmp-emulator command: the same command line as `dotnet run --project src/Emulator`.
return await EmulatorProgram.RunAsync(args).ConfigureAwait(false);
