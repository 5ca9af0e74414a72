namespace Reelgate.Core.Accounts;

/// <summary>Outcome of an admin top-up or deduction.</summary>
public enum CreditAdjustStatus
{
    Applied,
    AccountNotFound,

    /// <summary>The deduction would take the balance below zero; nothing changed.</summary>
    InsufficientCredits,

    /// <summary>
    /// The top-up would take the balance, counting the credits reserved by the account's waiting
    /// tasks (a failure refunds them), above <see cref="Credits.MaxBalance"/>; nothing changed.
    /// </summary>
    BalanceLimit,
}

public readonly record struct CreditAdjustment(CreditAdjustStatus Status, long Credits);
