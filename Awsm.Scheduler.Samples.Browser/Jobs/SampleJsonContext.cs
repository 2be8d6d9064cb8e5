using System.Text.Json.Serialization;

namespace Awsm.Scheduler.Samples.Browser.Jobs;

/// <summary>A Mandelbrot tile to compute: its pixel rectangle on the canvas and the view.</summary>
public sealed record TileRequest(int X, int Y, int Width, int Height, double CenterRe, double CenterIm, double PixelSize, int CanvasWidth, int CanvasHeight, int MaxIterations);

/// <summary>Source-generated JSON metadata of the sample's job inputs and outputs (trim-safe).</summary>
[JsonSerializable(typeof(TileRequest))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string))]
public sealed partial class SampleJsonContext : JsonSerializerContext;
