namespace ZLayer.Spec.Loading;

public enum SpecFormat
{
    ZLayer,
    Compose,
}
