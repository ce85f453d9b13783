namespace MLCardiac.ML;

/// <summary>Names of the columns that the cardiac data view, transformers and trainers read and write.</summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>column</term><description>type · written by</description></listheader>
/// <item><term><see cref="Subject"/>, <see cref="Vendor"/>, <see cref="Centre"/>, <see cref="Frame"/>, <see cref="ImagePath"/>, <see cref="LabelPath"/>, <see cref="Dataset"/>, <see cref="Source"/></term><description>text · <see cref="CardiacDataCatalog.FromDirectory(string)"/></description></item>
/// <item><term><see cref="ImageFrame"/>, <see cref="LabelFrame"/></term><description>Int32 · the data view</description></item>
/// <item><term><see cref="Labeled"/></term><description>Boolean · the data view</description></item>
/// <item><term><see cref="LabelMap"/></term><description>Byte vector (file value → our label; empty: identity) · the data view</description></item>
/// <item><term><see cref="Image"/></term><description>Single vector, one frame's voxels, x fastest · <see cref="NiftiLoaderTransformer"/></description></item>
/// <item><term><see cref="ImageShape"/></term><description>Int32 vector [3]: X, Y, Z voxels · <see cref="NiftiLoaderTransformer"/></description></item>
/// <item><term><see cref="SpacingMm"/></term><description>Single vector [3]: voxel spacing in mm · <see cref="NiftiLoaderTransformer"/></description></item>
/// <item><term><see cref="Label"/></term><description>Byte vector, reference labels 0..3 on the image grid (empty: unlabeled) · <see cref="NiftiLoaderTransformer"/></description></item>
/// <item><term><see cref="Slices"/></term><description>Single vector [Z, Size, Size], normalised slices · <see cref="SlicePreprocessingTransformer"/></description></item>
/// <item><term><see cref="LabelSlices"/></term><description>Byte vector [Z, Size, Size] (empty: unlabeled) · <see cref="SlicePreprocessingTransformer"/></description></item>
/// <item><term><see cref="PredictedLabel"/></term><description>Byte vector, predicted labels 0..3 on the image grid · <see cref="SegmentationTransformer"/></description></item>
/// <item><term><see cref="PredictedVendor"/>, <see cref="VendorScore"/>, <see cref="VendorConfidence"/>, <see cref="UnfamiliarScanner"/></term><description>text, Single vector [vendors], Single, Boolean · <see cref="VendorClassifierTransformer"/></description></item>
/// <item><term><see cref="ShiftScore"/>, <see cref="ShiftDetected"/>, <see cref="PredictedDice"/>, <see cref="PredictedDiceLow"/>, <see cref="PredictedDiceHigh"/>, <see cref="QcFlagged"/>, <see cref="QcReasons"/></term><description>Single, Boolean, Single vector [3] ×3 (slots LV, MYO, RV), Boolean, text vector · <see cref="QualityControlTransformer"/></description></item>
/// </list>
/// </remarks>
public static class CardiacColumnNames
{
    /// <summary>Dataset subject code (never a patient name).</summary>
    public const string Subject = "Subject";
    /// <summary>Vendor code.</summary>
    public const string Vendor = "Vendor";
    /// <summary>Centre, empty when unknown.</summary>
    public const string Centre = "Centre";
    /// <summary>"ED" or "ES".</summary>
    public const string Frame = "Frame";
    /// <summary>Image file.</summary>
    public const string ImagePath = "ImagePath";
    /// <summary>0-based frame of the image file.</summary>
    public const string ImageFrame = "ImageFrame";
    /// <summary>Label file, empty for an unlabeled row.</summary>
    public const string LabelPath = "LabelPath";
    /// <summary>0-based frame of the label file.</summary>
    public const string LabelFrame = "LabelFrame";
    /// <summary>True when the row has a label file.</summary>
    public const string Labeled = "Labeled";
    /// <summary>Translation of the label file's values to ours (index = file value), empty when they match.</summary>
    public const string LabelMap = "LabelMap";
    /// <summary>Source dataset name.</summary>
    public const string Dataset = "Dataset";
    /// <summary>The study's name for the data source of the row (<c>data[i].name</c>); empty outside a study.</summary>
    public const string Source = "Source";
    /// <summary>The image frame's voxels.</summary>
    public const string Image = "Image";
    /// <summary>Voxels along X, Y, Z.</summary>
    public const string ImageShape = "ImageShape";
    /// <summary>Voxel spacing in mm along X, Y, Z.</summary>
    public const string SpacingMm = "SpacingMm";
    /// <summary>Reference labels on the image grid.</summary>
    public const string Label = "Label";
    /// <summary>Preprocessed slices.</summary>
    public const string Slices = "Slices";
    /// <summary>Preprocessed reference label slices.</summary>
    public const string LabelSlices = "LabelSlices";
    /// <summary>Predicted labels on the image grid.</summary>
    public const string PredictedLabel = "PredictedLabel";
    /// <summary>Most probable vendor.</summary>
    public const string PredictedVendor = "PredictedVendor";
    /// <summary>Mean slice probability of each known vendor.</summary>
    public const string VendorScore = "VendorScore";
    /// <summary>Largest mean vendor probability (low: unfamiliar scanner).</summary>
    public const string VendorConfidence = "VendorConfidence";
    /// <summary>True when the vendor confidence is below the calibrated threshold.</summary>
    public const string UnfamiliarScanner = "UnfamiliarScanner";
    /// <summary>Distance of the scan's segmentation-network features to the training scans' (high: unlike them).</summary>
    public const string ShiftScore = "ShiftScore";
    /// <summary>True when the shift score exceeds the calibrated threshold.</summary>
    public const string ShiftDetected = "ShiftDetected";
    /// <summary>Predicted Dice of LV, MYO and RV, without ground truth.</summary>
    public const string PredictedDice = "PredictedDice";
    /// <summary>Lower ends of the predicted-Dice intervals.</summary>
    public const string PredictedDiceLow = "PredictedDiceLow";
    /// <summary>Upper ends of the predicted-Dice intervals.</summary>
    public const string PredictedDiceHigh = "PredictedDiceHigh";
    /// <summary>True when the segmentation should be reviewed.</summary>
    public const string QcFlagged = "QcFlagged";
    /// <summary>Why it is flagged, one sentence each.</summary>
    public const string QcReasons = "QcReasons";

    /// <summary>Annotation on <see cref="Slices"/>: the preprocessing settings as JSON.</summary>
    public const string PreprocessingAnnotation = "MLCardiac.Preprocessing";
    /// <summary>Annotation on <see cref="Slices"/>: the augmentation preset the trainers apply while fitting.</summary>
    public const string AugmentationAnnotation = "MLCardiac.Augmentation";
    /// <summary>Annotation on <see cref="PredictedLabel"/>: vendors whose labeled data trained the model, comma-separated.</summary>
    public const string TrainVendorsAnnotation = "MLCardiac.TrainVendors";
    /// <summary>Annotation on <see cref="PredictedLabel"/>: DANN target vendors, comma-separated.</summary>
    public const string TargetVendorsAnnotation = "MLCardiac.TargetVendors";
}
