using System.Text.Json.Serialization;

namespace Awsm.Scheduler.Samples.Browser.Jobs;

/// <summary>A Mandelbrot tile to compute: its pixel rectangle on the canvas and the view.</summary>
public sealed record TileRequest(int X, int Y, int Width, int Height, double CenterRe, double CenterIm, double PixelSize, int CanvasWidth, int CanvasHeight, int MaxIterations);

/// <summary>Numbers to add up.</summary>
public sealed record SumRequest(int[] Numbers);

/// <summary>A sum and the worker that computed it.</summary>
public sealed record SumResult(long Sum, int Worker);

/// <summary>Source-generated JSON metadata of the sample's job inputs and outputs (trim-safe).</summary>
[JsonSerializable(typeof(TileRequest))]
[JsonSerializable(typeof(SumRequest))]
[JsonSerializable(typeof(SumResult))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
public sealed partial class SampleJsonContext : JsonSerializerContext;
