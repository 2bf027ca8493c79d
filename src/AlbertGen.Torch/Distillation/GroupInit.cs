namespace AlbertGen.Torch.Distillation;

/// <summary>How a shared student group is initialised from the teacher layers it replaces.</summary>
public enum GroupInit
{
    /// <summary>The first of the layers.</summary>
    First,
    /// <summary>The middle one (index count / 2).</summary>
    Middle,
    /// <summary>The last one.</summary>
    Last,
    /// <summary>The element-wise mean of their parameters.</summary>
    Average,
}
