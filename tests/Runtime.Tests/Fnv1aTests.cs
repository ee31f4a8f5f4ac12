using System.Text;

namespace Qmp.Runtime.Tests;

/// <summary>The one FNV-1a: the published 32-bit vectors, and a name hashed as a string equal to the same name hashed as UTF-8 bytes (the QAPI reader compares one with the other).</summary>
public class Fnv1aTests
{
    [Theory]
    [InlineData("", 0x811c9dc5u)]
    [InlineData("a", 0xe40c292cu)]
    [InlineData("foobar", 0xbf9cf968u)]
    public void Hashes_the_published_vectors(string text, uint expected)
    {
        Assert.Equal(expected, Fnv1a.Hash(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(expected, Fnv1a.Hash(text));
    }

    [Theory]
    [InlineData("node-name")]
    [InlineData("x-ünïcode-名前")]
    [InlineData("emoji-\U0001F600")]
    public void A_string_hashes_as_its_UTF_8_bytes(string name) =>
        Assert.Equal(Fnv1a.Hash(Encoding.UTF8.GetBytes(name)), Fnv1a.Hash(name));
}
