using Qmp.Runtime.Protocol;

namespace Qmp.Runtime.Qapi;

/// <summary>
/// Which of several unexpected members QEMU 7.2 names. Its input visitor keeps an object's unread
/// member names in a GLib hash table (GLib 2.74, as Debian 12 ships it): the names go in in the order
/// QEMU's QDict lists them, each is taken out when it is read, and the first name left in the table's
/// slot order is the one reported. So the answer depends on both hash functions, the table's growth
/// and shrinking, and the order members were read; this class replays all of it. Only an error runs it.
/// </summary>
internal static class QemuMemberOrder
{
    // GLib: a slot's stored hash is 0 when never used, 1 after a removal, 2 or more when it holds a key.
    private const uint Unused = 0;
    private const uint Tombstone = 1;
    private const int MinShift = 3;
    private const int QDictBuckets = 512;

    // GLib's table of the largest primes below each power of two (for shifts 0 to 31).
    private static readonly uint[] s_primeMod =
    [
        1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071, 262139, 524287, 1048573,
        2097143, 4194301, 8388593, 16777213, 33554393, 67108859, 134217689, 268435399, 536870909, 1073741789, 2147483647,
    ];

    /// <summary>
    /// The member QEMU reports, given every member's name (UTF-8, in the request's order) and the
    /// positions of the members read, in the order they were read. -1 when every member was read.
    /// </summary>
    public static int FirstUnread(IReadOnlyList<byte[]> names, ReadOnlySpan<int> readOrder)
    {
        var table = new Table();
        foreach (var member in QDictOrder(names))
        {
            table.Insert(member, StrHash(names[member]), names);
        }

        foreach (var member in readOrder)
        {
            table.Remove(member, StrHash(names[member]), names);
        }

        return table.First();
    }

    /// <summary>
    /// QEMU's QDict: 512 buckets by its own hash of the name, each a list the newest name heads; it
    /// lists bucket by bucket.
    /// </summary>
    private static List<int> QDictOrder(IReadOnlyList<byte[]> names)
    {
        var buckets = new List<int>?[QDictBuckets];
        for (var i = 0; i < names.Count; i++)
        {
            (buckets[QmpWire.QdictBucket(names[i])] ??= []).Add(i);
        }

        var order = new List<int>(names.Count);
        foreach (var bucket in buckets)
        {
            if (bucket is not null)
            {
                // Newest first: each name was put at its bucket's head.
                for (var i = bucket.Count - 1; i >= 0; i--)
                {
                    order.Add(bucket[i]);
                }
            }
        }

        return order;
    }

    /// <summary>GLib's g_str_hash (djb2 over signed chars), never below 2 as the table stores it.</summary>
    private static uint StrHash(byte[] name)
    {
        uint hash = 5381;
        foreach (var b in name)
        {
            hash = unchecked((hash << 5) + hash + (uint)(sbyte)b);
        }

        return hash < 2 ? 2 : hash;
    }

    /// <summary>GLib 2.74's GHashTable, reduced to what decides slot order: hashes and which member sits where.</summary>
    private sealed class Table
    {
        private uint[] _hashes = new uint[1 << MinShift];
        private int[] _members = new int[1 << MinShift];
        private int _size = 1 << MinShift;
        private uint _mod = s_primeMod[MinShift];
        private int _mask = (1 << MinShift) - 1;
        private int _nodes;
        private int _occupied;

        public void Insert(int member, uint hash, IReadOnlyList<byte[]> names)
        {
            var slot = Lookup(member, hash, names);
            if (_hashes[slot] >= 2)
            {
                return; // the same name twice (QEMU's parser refuses it): the table keeps one
            }

            var wasUnused = _hashes[slot] == Unused;
            _hashes[slot] = hash;
            _members[slot] = member;
            _nodes++;
            if (wasUnused)
            {
                _occupied++;
                MaybeResize();
            }
        }

        public void Remove(int member, uint hash, IReadOnlyList<byte[]> names)
        {
            var slot = Lookup(member, hash, names);
            if (_hashes[slot] < 2)
            {
                return;
            }

            _hashes[slot] = Tombstone;
            _nodes--;
            MaybeResize();
        }

        public int First()
        {
            for (var slot = 0; slot < _size; slot++)
            {
                if (_hashes[slot] >= 2)
                {
                    return _members[slot];
                }
            }

            return -1;
        }

        private int Index(uint hash) => (int)(unchecked(hash * 11) % _mod);

        /// <summary>The slot holding the name, else the first tombstone passed, else the free slot reached (quadratic probing).</summary>
        private int Lookup(int member, uint hash, IReadOnlyList<byte[]> names)
        {
            int slot = Index(hash), step = 0, firstTombstone = -1;
            while (_hashes[slot] != Unused)
            {
                if (_hashes[slot] == hash && names[_members[slot]].AsSpan().SequenceEqual(names[member]))
                {
                    return slot;
                }

                if (_hashes[slot] == Tombstone && firstTombstone < 0)
                {
                    firstTombstone = slot;
                }

                step++;
                slot = (slot + step) & _mask;
            }

            return firstTombstone >= 0 ? firstTombstone : slot;
        }

        private void MaybeResize()
        {
            if ((_size > _nodes * 4 && _size > 1 << MinShift) || _size <= _occupied + (_occupied / 16))
            {
                Resize();
            }
        }

        /// <summary>GLib's in-place rehash: each key not yet placed is carried to its new slot, evicting what it finds there.</summary>
        private void Resize()
        {
            var oldSize = _size;
            var shift = 0;
            for (var n = (int)(_nodes * 1.333); n != 0; n >>= 1)
            {
                shift++;
            }

            shift = Math.Max(shift, MinShift);
            _size = 1 << shift;
            _mod = s_primeMod[shift];
            _mask = _size - 1;
            if (_size > oldSize)
            {
                Array.Resize(ref _hashes, _size);
                Array.Resize(ref _members, _size);
            }

            var placed = new bool[Math.Max(_size, oldSize)];
            for (var i = 0; i < oldSize; i++)
            {
                var hash = _hashes[i];
                if (hash < 2)
                {
                    _hashes[i] = Unused;
                    continue;
                }

                if (placed[i])
                {
                    continue;
                }

                _hashes[i] = Unused;
                var member = _members[i];
                while (true)
                {
                    int slot = Index(hash), step = 0;
                    while (placed[slot])
                    {
                        step++;
                        slot = (slot + step) & _mask;
                    }

                    placed[slot] = true;
                    var replaced = _hashes[slot];
                    var evicted = _members[slot];
                    _hashes[slot] = hash;
                    _members[slot] = member;
                    if (replaced < 2)
                    {
                        break;
                    }

                    hash = replaced;
                    member = evicted;
                }
            }

            if (_size < oldSize)
            {
                Array.Resize(ref _hashes, _size);
                Array.Resize(ref _members, _size);
            }

            _occupied = _nodes;
        }
    }
}
