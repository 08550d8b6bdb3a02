using System.Buffers.Binary;
using System.IO.Compression;

namespace BioXBridge.Tests.Experiments;

/// <summary>
/// Just enough of PNG to tell a drawn chart from a blank page: 8-bit RGB or RGBA, not interlaced (what Chromium writes).
/// Chunks are read, the IDAT stream inflated and each row un-filtered (PNG spec §9: None, Sub, Up, Average, Paeth).
/// </summary>
public sealed record PngPixels(int Width, int Height, double NonWhiteFraction, int DistinctColours)
{
    public static PngPixels Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (!bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 })) throw new InvalidDataException($"{path}: not a PNG");
        int width = 0, height = 0, channels = 0;
        var idat = new MemoryStream();
        for (int at = 8; at < bytes.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4);
            var data = bytes.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                (width, height) = (BinaryPrimitives.ReadInt32BigEndian(data), BinaryPrimitives.ReadInt32BigEndian(data[4..]));
                if (data[8] != 8 || data[12] != 0) throw new InvalidDataException($"{path}: only 8-bit, non-interlaced PNGs");
                channels = data[9] switch { 2 => 3, 6 => 4, _ => throw new InvalidDataException($"{path}: colour type {data[9]} not RGB/RGBA") };
            }
            else if (type == "IDAT") idat.Write(data);
            at += 12 + length;
        }
        idat.Position = 0;
        var raw = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(raw);
        var pixels = Unfilter(raw.ToArray(), width, height, channels);

        int nonWhite = 0;
        var colours = new HashSet<int>();
        for (int i = 0; i < width * height; i++)
        {
            int o = i * channels, rgb = pixels[o] << 16 | pixels[o + 1] << 8 | pixels[o + 2];
            colours.Add(rgb);
            if (rgb != 0xFFFFFF) nonWhite++;
        }
        return new PngPixels(width, height, (double)nonWhite / (width * height), colours.Count);
    }

    static byte[] Unfilter(byte[] raw, int width, int height, int bpp)
    {
        int stride = width * bpp;
        var output = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (stride + 1)], src = y * (stride + 1) + 1, row = y * stride;
            for (int x = 0; x < stride; x++)
            {
                int a = x >= bpp ? output[row + x - bpp] : 0, b = y > 0 ? output[row - stride + x] : 0;
                int c = x >= bpp && y > 0 ? output[row - stride + x - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG row {y}: filter {filter}"),
                };
                output[row + x] = (byte)(raw[src + x] + predictor);
            }
        }
        return output;
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
