namespace MLCardiac.Data.Synthetic;

/// <summary>A 3D vector in mm (image x to the right, y downwards, ζ along the slice stack from base to apex).</summary>
internal readonly record struct Vec3(double X, double Y, double Z)
{
    public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static Vec3 operator *(double s, Vec3 a) => new(s * a.X, s * a.Y, s * a.Z);
    public double Dot(Vec3 b) => (X * b.X) + (Y * b.Y) + (Z * b.Z);
    public Vec3 Cross(Vec3 b) => new((Y * b.Z) - (Z * b.Y), (Z * b.X) - (X * b.Z), (X * b.Y) - (Y * b.X));
    public double Length => Math.Sqrt(Dot(this));
    public Vec3 Normalized() => (1 / Length) * this;
}
