namespace MLCardiac.Models;

/// <summary>The architecture of a vendor classifier network (<see cref="VendorClassifierNetwork"/>).</summary>
public enum ClassifierKind
{
    /// <summary><see cref="ResNetClassifier"/>: residual basic blocks (He et al. 2016). Name <c>resnet</c>.</summary>
    ResNet,
    /// <summary><see cref="DenseNetClassifier"/>: densely connected blocks (Huang et al. 2017). Name <c>densenet</c>.</summary>
    DenseNet,
    /// <summary><see cref="InceptionClassifier"/>: GoogLeNet inception modules (Szegedy et al. 2015). Name <c>inception</c>.</summary>
    Inception,
}
