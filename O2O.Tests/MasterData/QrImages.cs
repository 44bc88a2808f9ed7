using System.Buffers.Binary;
using System.IO.Compression;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace O2O.Tests.MasterData;

/// <summary>Reads a printed QR back the way a phone camera would: PNG pixels to ZXing's decoder.</summary>
public static class QrImages
{
    public static string Decode(byte[] png)
    {
        var (gray, width, height) = PngToGray(png);
        var bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(gray, width, height, RGBLuminanceSource.BitmapFormat.Gray8)));
        var result = new QRCodeReader().decode(bitmap, new Dictionary<DecodeHintType, object> { [DecodeHintType.PURE_BARCODE] = false, [DecodeHintType.TRY_HARDER] = true })
            ?? throw new InvalidOperationException("ZXing found no QR code in the image.");
        return result.Text;
    }

    /// <summary>A small PNG reader (non-interlaced, 1 to 8 bits, grey, palette, RGB, RGBA), enough for generated images.</summary>
    public static (byte[] Gray, int Width, int Height) PngToGray(byte[] png)
    {
        if (png.Length < 8 || png[1] != 'P' || png[2] != 'N' || png[3] != 'G')
        {
            throw new InvalidDataException("not a PNG");
        }
        int width = 0, height = 0, depth = 0, colour = 0;
        byte[]? palette = null;
        using var idat = new MemoryStream();
        for (var at = 8; at < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    depth = data[8];
                    colour = data[9];
                    if (data[12] != 0)
                    {
                        throw new InvalidDataException("interlaced PNGs are not read here");
                    }
                    break;
                case "PLTE":
                    palette = data.ToArray();
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
            }
            at += 12 + length;
        }
        var channels = colour switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new InvalidDataException($"colour type {colour}") };
        var bitsPerPixel = channels * depth;
        var stride = (width * bitsPerPixel + 7) / 8;
        var bpp = Math.Max(1, bitsPerPixel / 8);
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            z.CopyTo(inflated);
        }
        var raw = inflated.ToArray();
        var rows = new byte[height * stride];
        var previous = new byte[stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var line = raw.AsSpan(y * (stride + 1) + 1, stride);
            var current = rows.AsSpan(y * stride, stride);
            for (var x = 0; x < stride; x++)
            {
                int a = x >= bpp ? current[x - bpp] : 0, b = previous[x], c = x >= bpp ? previous[x - bpp] : 0;
                current[x] = (byte)(line[x] + filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter {filter}"),
                });
            }
            current.CopyTo(previous);
        }
        var gray = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var rowStart = y * stride;
                int Sample(int index)
                {
                    if (depth == 8)
                    {
                        return rows[rowStart + index];
                    }
                    var bit = index * depth;
                    var value = (rows[rowStart + bit / 8] >> (8 - depth - bit % 8)) & ((1 << depth) - 1);
                    return colour == 3 ? value : value * 255 / ((1 << depth) - 1);
                }
                gray[y * width + x] = colour switch
                {
                    0 or 4 => (byte)Sample(x * channels),
                    3 => palette is null ? (byte)0 : (byte)((palette[Sample(x) * 3] + palette[Sample(x) * 3 + 1] + palette[Sample(x) * 3 + 2]) / 3),
                    _ => (byte)((Sample(x * channels) + Sample(x * channels + 1) + Sample(x * channels + 2)) / 3),
                };
            }
        }
        return (gray, width, height);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
