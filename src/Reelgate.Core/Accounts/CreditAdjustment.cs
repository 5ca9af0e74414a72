namespace Reelgate.Core.Accounts;

/// <summary>Outcome of an admin top-up or deduction.</summary>
public enum CreditAdjustStatus
{
    Applied,
    AccountNotFound,

    /// <summary>The deduction would take the balance below zero; nothing changed.</summary>
    InsufficientCredits,
}

public readonly record struct CreditAdjustment(CreditAdjustStatus Status, long Credits);
