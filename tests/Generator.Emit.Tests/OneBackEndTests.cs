using Qmp.Codegen.Generation;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Emit.Tests;

/// <summary>
/// One C# back end whatever the reader (issue 21 item 2): the same commands written as QEMU 2.1's
/// .hx table and as a QAPI schema build the same command specs (method, arguments, C# types,
/// checks, descriptor overloads, member docs, summary), and both are laid out by module.
/// </summary>
public class OneBackEndTests
{
    private const string Hx = """
        { .name = "getfd", .args_type = "fdname:s", .mhandler.cmd_new = qmp_marshal_input_getfd, },
        SQMP
        getfd
        -----
        Receive a file descriptor via SCM rights and assign it a name.
        Arguments:
        - "fdname": file descriptor name (json-string)
        EQMP
        { .name = "block-resize", .args_type = "device:B,size:o,node:s?", .mhandler.cmd_new = qmp_marshal_input_block_resize, },
        SQMP
        block-resize
        ------------
        Resize a block image while a guest is running.
        Arguments:
        - "device": the device's ID, must be unique (json-string)
        - "size": new size (json-int)
        EQMP

        """;

    private const string Qapi = """
        ##
        # @getfd:
        #
        # Receive a file descriptor via SCM rights and assign it a name.
        #
        # @fdname: file descriptor name
        ##
        { 'command': 'getfd', 'data': {'fdname': 'str'} }

        ##
        # @block-resize:
        #
        # Resize a block image while a guest is running.
        #
        # @device: the device's ID, must be unique
        #
        # @size: new size
        ##
        { 'command': 'block-resize', 'data': { 'device': 'str', 'size': 'int', '*node': 'str' } }

        """;

    private static GenerationSpec Build(string path, string text)
    {
        var read = SchemaInput.Read(new[] { new SchemaInputFile(path, text) }, _ => null);
        Assert.DoesNotContain(read.Diagnostics, d => d.Severity == SchemaSeverity.Error);
        return SpecBuilder.Build(read.Schema, "Acme.Qemu", client: true, server: false);
    }

    [Fact]
    public void The_same_commands_from_hx_and_QAPI_build_the_same_specs()
    {
        var hx = Build("/s/qmp-commands.hx", Hx);
        var qapi = Build("/s/qmp-commands.json", Qapi);

        Assert.Equal(new[] { "getfd", "block-resize" }, hx.Commands.Select(c => c.Name));
        Assert.Equal(new[] { "getfd", "block-resize" }, qapi.Commands.Select(c => c.Name));
        foreach (var (h, q) in hx.Commands.Zip(qapi.Commands))
        {
            Assert.Equal(h.MethodName, q.MethodName);
            Assert.Equal(h.ArgumentsType, q.ArgumentsType);
            Assert.Equal(h.Parameters, q.Parameters);
            Assert.Equal(h.Result, q.Result);
            Assert.Equal(h.Checks, q.Checks);
            Assert.Equal(h.TakesFileDescriptor, q.TakesFileDescriptor);
            Assert.Equal(h.Boxed, q.Boxed);
            Assert.Equal(h.Doc.Summary, q.Doc.Summary);
        }

        // getfd reads a descriptor sent with it (SCM_RIGHTS) whichever schema describes it.
        Assert.True(qapi.Commands[0].TakesFileDescriptor);
        // An undocumented member's doc is its name in words for both readers.
        Assert.Equal("Node.", qapi.Commands[1].Parameters.Single(p => p.JsonName == "node").Doc);
        // 'o' is QAPI 'int' on the wire (QEMU 2.1 takes any JSON integer, an int64): a long, with an int check.
        var size = hx.Commands[1].Parameters.Single(p => p.JsonName == "size");
        Assert.Equal(("long", false), (size.Type.ClrType, size.Optional));
        Assert.Equal("int", hx.Commands[1].Checks.Single(c => c.Name == "size").JsonType);
    }

    [Fact]
    public void An_hx_file_is_one_module_with_the_types_inferred_for_it()
    {
        var spec = Build("/s/qmp-commands.hx", Hx);
        var module = Assert.Single(spec.Modules);
        Assert.Equal(("QmpCommands", "qmp-commands.hx"), (module.Name, module.File));
        Assert.Equal(new[] { "GetfdArguments", "BlockResizeArguments" }, module.Records.Select(r => r.Name));
        Assert.Equal(new[] { "getfd", "block-resize" }, module.Commands.Select(c => c.Name));
        // The client's core holds no command: each module's file holds its commands' members.
        Assert.Equal(new ClientOutputSpec("Acme.Qemu", "Qemu", false), spec.ClientOutput);
    }
}
