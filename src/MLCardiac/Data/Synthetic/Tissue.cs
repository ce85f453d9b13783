namespace MLCardiac.Data.Synthetic;

/// <summary>The tissues the phantom paints; each has relaxation times and a proton density (<see cref="TissueRelaxation"/>).</summary>
public enum Tissue
{
    /// <summary>Blood (ventricles, atria, great vessels).</summary>
    Blood,

    /// <summary>Ventricular myocardium, papillary muscles, trabeculae.</summary>
    Myocardium,

    /// <summary>Subcutaneous, epicardial and pericardial fat.</summary>
    Fat,

    /// <summary>Liver.</summary>
    Liver,

    /// <summary>Skeletal muscle (chest wall, paraspinal).</summary>
    SkeletalMuscle,

    /// <summary>Lung parenchyma (mostly air: low proton density, very short T2*).</summary>
    Lung,

    /// <summary>Spleen.</summary>
    Spleen,

    /// <summary>Cerebrospinal fluid in the spinal canal.</summary>
    Csf,

    /// <summary>Free water: gastric fluid, pericardial effusion.</summary>
    Fluid,

    /// <summary>Vertebral bone marrow (fatty).</summary>
    BoneMarrow,

    /// <summary>Mediastinal soft tissue (vessel walls, oesophagus, pericardium).</summary>
    SoftTissue,
}
