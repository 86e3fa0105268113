"""Notification texts of money in (DOMAIN §11), Japanese and English."""

from chukai.messaging.texts import register_texts

register_texts(
    "escrow_in_place",
    ja="仮払いが完了しました：{milestone}（{amount}円）",
    en="Escrow is in place: {milestone} (¥{amount})",
    ja_body="契約「{contract}」のマイルストーン「{milestone}」の仮払い（エスクロー）が完了しました。"
    "chukaiが{amount}円（手数料を含むお支払い額 {total}円）をお預かりしています。",
    en_body="Escrow for “{milestone}” on “{contract}” is in place: chukai holds ¥{amount} "
    "(you paid ¥{total} including fees).",
)
register_texts(
    "transfer_instructions",
    ja="銀行振込のお願い：{milestone}（{amount}円）",
    en="Please pay by bank transfer: {milestone} (¥{amount})",
    ja_body="契約「{contract}」の「{milestone}」の仮払いとして、{amount}円を次の口座へお振り込みください。"
    "{bank_name} {branch_name} 普通 {account_number}（この支払い専用の口座です）。"
    "期限：{pay_by}。期限までに入金が確認できない場合、仮払いは取り消されます。",
    en_body="To fund “{milestone}” on “{contract}”, transfer ¥{amount} to {bank_name}, {branch_name}, "
    "ordinary account {account_number} (opened for this payment only). Pay by {pay_by}; "
    "after that the funding is cancelled.",
)
register_texts(
    "transfer_awaited",
    ja="クライアントが銀行振込を選びました：{milestone}（まだ入金前です）",
    en="The client chose a bank transfer: {milestone} (payment not yet received)",
    ja_body="契約「{contract}」の「{milestone}」は、クライアントの振込を待っています（期限：{pay_by}）。"
    "入金が確認され仮払いが完了するまで、作業を始めないでください。",
    en_body="“{milestone}” on “{contract}” waits for the client's bank transfer (pay by {pay_by}). "
    "Payment not yet received — do not start until escrow is in place.",
)
register_texts(
    "transfer_short",
    ja="振込を確認しました（不足あり）：{milestone}",
    en="Transfer received, not the full amount: {milestone}",
    ja_body="「{milestone}」へのお振り込み{amount}円を確認しました。残り{remaining}円を{pay_by}までにお振り込みください。",
    en_body="We received ¥{amount} for “{milestone}”. Please transfer the remaining ¥{remaining} by {pay_by}.",
)
register_texts(
    "transfer_to_balance",
    ja="振込額をchukai残高に入れました：{amount}円",
    en="Transfer credited to your chukai balance: ¥{amount}",
    ja_body="「{milestone}」へのお振り込みのうち{amount}円（超過分または期限後の入金）を、"
    "お客様のchukai残高に入金しました。次の仮払いに使うか、出金できます。",
    en_body="¥{amount} of your transfer for “{milestone}” (an excess, or money arriving after the payment "
    "closed) is in your chukai balance. Use it for the next funding or withdraw it.",
)
register_texts(
    "payment_expired",
    ja="振込期限が過ぎました：{milestone}",
    en="Bank transfer not received in time: {milestone}",
    ja_body="契約「{contract}」の「{milestone}」の振込期限までに入金が揃わなかったため、仮払いは取り消され、"
    "マイルストーンは仮払い前に戻りました。受け取った{back}円はクライアントのchukai残高に入れました。",
    en_body="The bank transfer for “{milestone}” on “{contract}” was not completed by the pay-by time. "
    "The milestone is unfunded again; ¥{back} received or held went to the client's chukai balance.",
)
