"""Every screen's words in English (``en``) and Luganda (``lg``): plain ASCII, short enough that a
screen with its hint stays within 182 characters (tests check every screen in both languages)."""

from __future__ import annotations

from typing import Literal

from soko.ml.public import FORECAST_CROPS, MARKETS

Language = Literal["en", "lg"]
MAX_SCREEN = 182  # characters a screen may have, "CON "/"END " included

# The crops and markets of the price menu, in keypad order (1 = maize, 1 = Kampala): the price
# layer's crops and its six seed markets.
PRICE_CROPS = FORECAST_CROPS
PRICE_MARKETS = tuple(m.id for m in MARKETS if m.seed)
MARKET_LABELS = {"Kisenyi_Kampala": "Kampala"}
SHORT_CROP_EN = {
    "maize_grain": "Maize",
    "yellow_beans": "Beans",
    "irish_potatoes": "Irish potatoes",
    "cassava_chips": "Cassava chips",
    "matoke": "Matoke",
}

EN: dict[str, str] = {
    "main": "Soko\n1 Check prices\n2 My orders\n3 Sell produce\n4 My listings\n5 Register\n6 Language"
    "\n7 Price alerts",
    "back": "0 Back",
    "hint.choice": "Invalid choice. ",
    "hint.number": "Enter a whole number. ",
    "hint.pin": "A PIN is 4 digits. ",
    "hint.weak_pin": "Too easy to guess. ",
    "hint.pin_mismatch": "The PINs differ. ",
    "hint.name": "Letters only, 2-30. ",
    "hint.district": "Unknown district. ",
    "hint.wrong_pin": "Wrong PIN, {left} left. ",
    "choose_crop": "Choose a crop:",
    "choose_market": "Choose a market:",
    "forecast": "{crop} in {market}, UGX/kg:",
    "price_age": "Prices of {date} ({age})",
    "stale_prices": "{crop} in {market}: last price UGX {price}/kg on {date} ({age}). Old data, no "
    "forecast: ask traders for today's price.",
    "trend.up": "Up {pct}% in 4 weeks",
    "trend.down": "Down {pct}% in 4 weeks",
    "trend.flat": "Steady over 4 weeks",
    "no_prices": "No prices yet for {crop} in {market}. Try another market.",
    "need_register": "Register first: dial again and choose 5.",
    "farmers_only": "Only farmers can sell on Soko.",
    "no_district": "Add your district in the Soko app first.",
    "pending": "Orders to answer or deliver:",
    "no_pending": "You have no orders to answer or deliver.",
    "your_orders": "Your orders:",
    "no_orders": "You have no orders yet.",
    "order": "{kg}kg {crop} at {price}/kg = UGX {total}\n1 Accept\n2 Reject",
    "order_paid": "{kg}kg {crop} = UGX {total}, paid\n1 Dispatched\n2 Delivered",
    "order_dispatched": "{kg}kg {crop} = UGX {total}, on its way\n1 Delivered\n2 Enter buyer's delivery code",
    "order_delivered": "{kg}kg {crop} = UGX {total}, delivered\n1 Enter buyer's delivery code",
    "ask_code": "Enter the buyer's 6-digit delivery code or 0 to cancel:",
    "hint.code": "A code is 6 digits. ",
    "hint.wrong_code": "Wrong code, {left} left. ",
    "code_ok": "Done: the buyer confirmed delivery; your payment is released.",
    "code_locked": "The code is locked after 5 wrong tries. The buyer can confirm receipt in the app or by "
    "USSD instead.",
    "no_code": "This order has no delivery code. The buyer can confirm receipt in the app or by USSD.",
    "marked_dispatched": "Marked as on its way.",
    "marked_delivered": "Marked delivered. You are paid when the buyer confirms (or later, if they do not).",
    "to_receive": "Confirm you received:",
    "confirm_receipt": "You received {kg}kg {crop} (UGX {total})? The farmer is then paid.",
    "received": "Thank you. The farmer is paid for this order.",
    "enter_pin": "Enter your 4-digit PIN:",
    "pin_to_confirm": "Enter your PIN to confirm or 0 to cancel:",
    "locked": "Wrong PIN 3 times. Try again in {minutes} min.",
    "no_pin": "You have no PIN yet: dial again and choose 5 to set one.",
    "accepted": "Order accepted. The buyer gets an SMS.",
    "rejected": "Order rejected. The buyer gets an SMS.",
    "order_gone": "This order can no longer be changed.",
    "ask_qty": "Quantity in kg (e.g. 100):",
    "ask_price": "Price per kg in UGX (e.g. 1200):",
    "confirm_sell": "Sell {kg}kg {crop} at UGX {price}/kg in {district}?",
    "listed": "Listed: {kg}kg {crop} at UGX {price}/kg. Buyers can order it now.",
    "cancelled": "Cancelled. Nothing was changed.",
    "listings": "Your listings:",
    "no_listings": "You have no listings. Dial again and choose 3 to sell.",
    "listing": "{kg}kg {crop} at UGX {price}/kg\n1 Change quantity\n2 Change price",
    "ask_new_qty": "New quantity in kg (0 = sold out):",
    "saved": "Saved: {kg}kg {crop} at UGX {price}/kg.",
    "listing_gone": "This listing can no longer be changed.",
    "registered_already": "You are registered as {name}. For the Soko app, use Forgot password "
    "there with this phone number.",
    "ask_name": "Welcome to Soko. Enter your name:",
    "ask_district": "Enter your district (e.g. Gulu):",
    "choose_pin": "Choose a 4-digit PIN:",
    "set_pin": "Your account has no PIN. Choose a 4-digit PIN:",
    "repeat_pin": "Enter the PIN again:",
    "welcome": "Welcome to Soko, {name}! Dial again to sell your produce.",
    "pin_set": "Your PIN is set. Dial again to sell your produce.",
    "phone_taken": "This phone already has a Soko account.",
    "choose_language": "Choose a language:\n1 English\n2 Luganda",
    "language_set": "Language: English.",
    "busy": "Someone changed this at the same time. Please try again.",
    "too_long": "Too many steps. Please dial again.",
    "unavailable": "Sorry, Soko is not available right now. Please try again later.",
    "status.pending": "pending",
    "status.confirmed": "accepted",
    "status.rejected": "rejected",
    "status.cancelled": "cancelled",
    "status.completed": "completed",
    "status.dispatched": "on its way",
    "status.delivered": "delivered",
    "status.disputed": "disputed",
    "status.resolved": "resolved",
    "status.expired": "expired",
}

LG: dict[str, str] = {
    "main": "Soko\n1 Bbeeyi\n2 Oda zange\n3 Tunda ebirime\n4 Bye ntunda\n5 Wewandiise\n6 Olulimi"
    "\n7 Bbeeyi ku SMS",
    "back": "0 Emabega",
    "hint.choice": "Ensobi, ddamu. ",
    "hint.number": "Yingiza ennamba. ",
    "hint.pin": "PIN ya nnamba 4. ",
    "hint.weak_pin": "Nnyangu okuteebereza. ",
    "hint.pin_mismatch": "PIN tezifaanagana. ",
    "hint.name": "Nnukuta zokka, 2-30. ",
    "hint.district": "Disitulikiti temanyiddwa. ",
    "hint.wrong_pin": "PIN nkyamu, osigazza {left}. ",
    "choose_crop": "Londa ekirime:",
    "choose_market": "Londa akatale:",
    "forecast": "{crop} e {market}, UGX/kilo:",
    "price_age": "Bbeeyi za {date} ({age})",
    "stale_prices": "{crop} e {market}: bbeeyi esembayo UGX {price}/kilo ku {date} ({age}). Bbeeyi ya dda, "
    "tewali kuteebereza: buuza abasuubuzi bbeeyi ya leero.",
    "trend.up": "Bweyongera {pct}% mu wiiki 4",
    "trend.down": "Bukka {pct}% mu wiiki 4",
    "trend.flat": "Tebukyuka mu wiiki 4",
    "no_prices": "Tewali bbeeyi ya {crop} e {market} kati. Gezaako akatale akalala.",
    "need_register": "Sooka wewandiise: ddamu okukuba olonde 5.",
    "farmers_only": "Abalimi bokka be batunda ku Soko.",
    "no_district": "Sooka oteeke disitulikiti yo mu app ya Soko.",
    "pending": "Oda z'okuddamu oba okutuusa:",
    "no_pending": "Tolina oda z'okuddamu oba okutuusa.",
    "your_orders": "Oda zo:",
    "no_orders": "Tolina oda kati.",
    "order": "{kg}kg {crop} ku {price}/kilo = UGX {total}\n1 Kkiriza\n2 Gaana",
    "order_paid": "{kg}kg {crop} = UGX {total}, esasuddwa\n1 Bisindikiddwa\n2 Bituuse",
    "order_dispatched": "{kg}kg {crop} = UGX {total}, biri mu kkubo\n1 Bituuse\n2 Koodi y'omuguzi",
    "order_delivered": "{kg}kg {crop} = UGX {total}, bituuse\n1 Yingiza koodi y'omuguzi",
    "ask_code": "Yingiza koodi y'omuguzi ey'ennamba 6 oba 0 okusazaamu:",
    "hint.code": "Koodi ya nnamba 6. ",
    "hint.wrong_code": "Koodi nkyamu, osigazza {left}. ",
    "code_ok": "Kiwedde: omuguzi akakasizza nti bituuse; ensimbi zo zisasuddwa.",
    "code_locked": "Koodi esibiddwa oluvannyuma lw'ensobi 5. Omuguzi asobola okukakasa nti afunye mu app "
    "oba ku USSD.",
    "no_code": "Oda eno terina koodi. Omuguzi asobola okukakasa nti afunye mu app oba ku USSD.",
    "marked_dispatched": "Kiwandiikiddwa nti biri mu kkubo.",
    "marked_delivered": "Kiwandiikiddwa nti bituuse. Osasulwa omuguzi bw'akakasa (oba oluvannyuma).",
    "to_receive": "Kakasa nti ofunye:",
    "confirm_receipt": "Ofunye {kg}kg {crop} (UGX {total})? Omulimi olwo asasulwa.",
    "received": "Webale. Omulimi asasulwa ku oda eno.",
    "enter_pin": "Yingiza PIN yo ey'ennamba 4:",
    "pin_to_confirm": "Yingiza PIN okukakasa oba 0 okusazaamu:",
    "locked": "PIN nkyamu emirundi 3. Ddamu oluvannyuma lw'eddakiika {minutes}.",
    "no_pin": "Tolina PIN: ddamu okukuba olonde 5 ogiteeke.",
    "accepted": "Oda ekkiriziddwa. Omuguzi ajja kufuna SMS.",
    "rejected": "Oda egaaniddwa. Omuguzi ajja kufuna SMS.",
    "order_gone": "Oda eno tekyasobola kukyusibwa.",
    "ask_qty": "Obungi mu kilo (okug. 100):",
    "ask_price": "Bbeeyi ya kilo mu UGX (okug. 1200):",
    "confirm_sell": "Tunda {kg}kg {crop} ku UGX {price}/kilo e {district}?",
    "listed": "Kiteereddwa: {kg}kg {crop} ku UGX {price}/kilo. Abaguzi basobola okugula.",
    "cancelled": "Kisaziddwaamu. Tewali kikyusiddwa.",
    "listings": "Bye otunda:",
    "no_listings": "Tolina by'otunda. Ddamu okukuba olonde 3 okutunda.",
    "listing": "{kg}kg {crop} ku UGX {price}/kilo\n1 Kyusa obungi\n2 Kyusa bbeeyi",
    "ask_new_qty": "Obungi obupya mu kilo (0 = biweddeyo):",
    "saved": "Kiterekeddwa: {kg}kg {crop} ku UGX {price}/kilo.",
    "listing_gone": "Kino tekyasobola kukyusibwa.",
    "registered_already": "Wewandiisa nga {name}. Ku app ya Soko, kozesa Forgot password n'ennamba eno.",
    "ask_name": "Tukwaniriza ku Soko. Yingiza erinnya lyo:",
    "ask_district": "Yingiza disitulikiti yo (okug. Gulu):",
    "choose_pin": "Londa PIN ey'ennamba 4:",
    "set_pin": "Akawunti yo terina PIN. Londa PIN ey'ennamba 4:",
    "repeat_pin": "Ddamu PIN:",
    "welcome": "Tukwaniriza ku Soko, {name}! Ddamu okukuba otunde ebirime byo.",
    "pin_set": "PIN yo eteereddwa. Ddamu okukuba otunde ebirime byo.",
    "phone_taken": "Ennamba eno erina dda akawunti ku Soko.",
    "choose_language": "Londa olulimi:\n1 English\n2 Luganda",
    "language_set": "Olulimi: Luganda.",
    "busy": "Omuntu omulala akikyusizza mu kiseera kye kimu. Ddamu.",
    "too_long": "Emitendera mingi nnyo. Ddamu okukuba.",
    "unavailable": "Soko tekola kati. Ddamu oluvannyuma.",
    "status.pending": "erinda",
    "status.confirmed": "ekkiriziddwa",
    "status.rejected": "egaaniddwa",
    "status.cancelled": "esaziddwaamu",
    "status.completed": "ewedde",
    "status.dispatched": "eri mu kkubo",
    "status.delivered": "etuuse",
    "status.disputed": "erina enkaayana",
    "status.resolved": "egonjoddwa",
    "status.expired": "eweddeko obudde",
}

# ---- price alerts (main menu 7; soko.alerts) ----
EN.update(
    {
        "alerts": "Price alerts by SMS:\n1 Add an alert",
        "alert": "{crop} {market}: {rule}\n1 Stop this alert",
        "alert_rule": "{crop} in {market}: tell me when\n1 Price is above\n2 Price is below\n3 Weekly prices",
        "alert_price": "Price per kg in UGX (e.g. 1200):",
        "rule.above": "above {price}",
        "rule.below": "below {price}",
        "rule.digest": "weekly",
        "rule.move": "moves {pct}%",
        "alert_added": "Done: you get an SMS about {crop} in {market}. Dial again and choose 7 to stop it.",
        "alert_stopped": "Alert stopped.",
        "alert_too_many": "You have 20 alerts, the most allowed. Stop one first.",
        "alert_gone": "This alert was already stopped.",
        "weather": "Weather in {district} (rain, temp):",
        "weather_stale": "Old forecast, from {when}:",
        "weather_ask_district": "Weather: enter a district (e.g. Gulu):",
        "weather_unavailable": "The weather forecast is not available now. Please try again later.",
    }
)
LG.update(
    {
        "alerts": "Bbeeyi ku SMS:\n1 Gattako",
        "alert": "{crop} {market}: {rule}\n1 Komya kino",
        "alert_rule": "{crop} e {market}: ntegeeza nga\n1 Bbeeyi eri waggulu wa\n2 Bbeeyi eri wansi wa"
        "\n3 Buli wiiki",
        "alert_price": "Bbeeyi ya kilo mu UGX (okug. 1200):",
        "rule.above": "waggulu wa {price}",
        "rule.below": "wansi wa {price}",
        "rule.digest": "buli wiiki",
        "rule.move": "ekyuka {pct}%",
        "alert_added": "Kiwedde: ojja kufuna SMS ku {crop} e {market}. Ddamu okukuba olonde 7 okukikomya.",
        "alert_stopped": "Kikomeddwa.",
        "alert_too_many": "Olina 20, ze nnyingi ezikkirizibwa. Sooka okomye emu.",
        "alert_gone": "Kino kyakomebwa dda.",
        "weather": "Obudde e {district} (enkuba, ebbugumu):",
        "weather_stale": "Okuteebereza okukadde, okwa {when}:",
        "weather_ask_district": "Obudde: yingiza disitulikiti (okug. Gulu):",
        "weather_unavailable": "Okuteebereza kw'obudde tekufunika kati. Ddamu oluvannyuma.",
    }
)

# ---- 8 Weather (issue 19): the main menu's entry and its screens
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EN["main"] += "\n8 Weather"
LG["main"] += "\n8 Obudde"

# ---- transporters (issue 17): registering as one, and "2 My jobs" (soko.logistics bookings)
EN["ask_name"] = "Welcome to Soko. A farmer? Enter your name.\nOr join as:\n1 Buyer\n2 Transporter"
LG["ask_name"] = (
    "Tukwaniriza ku Soko. Omulimi? Yingiza erinnya lyo.\nOba wewandiise nga:\n1 Omuguzi\n2 Omutambuza"
)
EN.update(
    {
        "ask_name.buyer": "Join as a buyer. Enter your name:",
        "ask_name.transporter": "Join as a transporter. Enter your name:",
        "welcome_buyer": "Welcome to Soko, {name}! Order in the Soko app; dial again and choose 2 to "
        "confirm what you receive.",
        "welcome_transporter": "Welcome to Soko, {name}! Dial again and choose 3 Add vehicle (or add it in "
        "the Soko app), then 2 for your jobs.",
        "menu.orders": "2 My orders",
        "menu.jobs": "2 My jobs",
        "jobs": "Your jobs (UGX):",
        "no_jobs": "You have no jobs now. Buyers book the vehicles you add (3 Add vehicle, or in the Soko "
        "app).",
        "jobstatus.requested": "new",
        "jobstatus.accepted": "accepted",
        "jobstatus.picked_up": "on way",
        "job.requested": "New job: {kg}kg {crop}\n{origin} to {destination}\nPick up {day}, UGX {fare}"
        "\n1 Accept\n2 Decline",
        "job.accepted": "Accepted: {kg}kg {crop}\n{origin} to {destination}\nPick up {day}, UGX {fare}"
        "\n1 Picked up\n2 Cancel",
        "job.picked_up": "On its way: {kg}kg {crop}\n{origin} to {destination}, UGX {fare}"
        "\n1 Delivered: enter buyer's code",
        "job_ask.accept": "Accept this job?",
        "job_ask.decline": "Decline this job?",
        "job_ask.pickup": "You picked up the produce?",
        "job_ask.cancel": "Cancel this job? The buyer and farmer are told.",
        "job_ask.deliver": "Delivered? The buyer's code comes next.",
        "job_accepted": "Job accepted. The buyer and farmer get an SMS. Pick up on the day.",
        "job_declined": "Job declined. The buyer can book another vehicle.",
        "job_picked_up": "Marked as picked up. The buyer gets an SMS.",
        "job_cancelled": "Job cancelled. The buyer and farmer get an SMS.",
        "job_delivered": "Delivered: the buyer confirmed with the code. You are paid from the order.",
        "job_changed": "This job changed meanwhile. Dial again to see it now.",
        "job_gone": "This job can no longer be changed.",
        "job_code_locked": "The code is locked after 5 wrong tries. The buyer can confirm receipt in the "
        "app or by USSD.",
        "job_no_code": "This order has no delivery code yet. The buyer can confirm receipt in the app or "
        "by USSD.",
    }
)
LG.update(
    {
        "ask_name.buyer": "Wewandiise ng'omuguzi. Yingiza erinnya lyo:",
        "ask_name.transporter": "Wewandiise ng'omutambuza. Yingiza erinnya lyo:",
        "welcome_buyer": "Tukwaniriza ku Soko, {name}! Gula mu app ya Soko; ddamu okukuba olonde 2 "
        "okukakasa by'ofunye.",
        "welcome_transporter": "Tukwaniriza ku Soko, {name}! Ddamu okukuba olonde 3 Wandiisa ekidduka (oba "
        "mu app ya Soko), olwo 2 olabe emirimu gyo.",
        "menu.orders": "2 Oda zange",
        "menu.jobs": "2 Emirimu gyange",
        "jobs": "Emirimu gyo (UGX):",
        "no_jobs": "Tolina mirimu kati. Abaguzi basaba ebidduka by'owandiisa (3 Wandiisa ekidduka, oba mu "
        "app ya Soko).",
        "jobstatus.requested": "mpya",
        "jobstatus.accepted": "kkirizza",
        "jobstatus.picked_up": "mu kkubo",
        "job.requested": "Omulimu omupya: {kg}kg {crop}\n{origin} okudda {destination}\nKima {day}, "
        "UGX {fare}\n1 Kkiriza\n2 Gaana",
        "job.accepted": "Okkirizza: {kg}kg {crop}\n{origin} okudda {destination}\nKima {day}, UGX {fare}"
        "\n1 Mbitute\n2 Sazaamu",
        "job.picked_up": "Biri mu kkubo: {kg}kg {crop}\n{origin} okudda {destination}, UGX {fare}"
        "\n1 Bituuse: koodi y'omuguzi",
        "job_ask.accept": "Okkiriza omulimu guno?",
        "job_ask.decline": "Ogaana omulimu guno?",
        "job_ask.pickup": "Obitutte?",
        "job_ask.cancel": "Osazaamu omulimu guno? Omuguzi n'omulimi bategeezebwa.",
        "job_ask.deliver": "Bituuse? Koodi y'omuguzi eddako.",
        "job_accepted": "Omulimu gukkiriziddwa. Omuguzi n'omulimi bafuna SMS. Kima ku lunaku.",
        "job_declined": "Omulimu gugaaniddwa. Omuguzi asobola okusaba emmotoka endala.",
        "job_picked_up": "Kiwandiikiddwa nti obitutte. Omuguzi afuna SMS.",
        "job_cancelled": "Omulimu gusaziddwaamu. Omuguzi n'omulimi bafuna SMS.",
        "job_delivered": "Bituuse: omuguzi akakasizza ne koodi. Osasulwa okuva ku oda.",
        "job_changed": "Omulimu guno gukyusiddwa. Ddamu okukuba ogulabe.",
        "job_gone": "Omulimu guno tegukyasobola kukyusibwa.",
        "job_code_locked": "Koodi esibiddwa oluvannyuma lw'ensobi 5. Omuguzi asobola okukakasa nti afunye "
        "mu app oba ku USSD.",
        "job_no_code": "Oda eno tennaba kufuna koodi. Omuguzi asobola okukakasa nti afunye mu app oba ku "
        "USSD.",
    }
)

# ---- 3 Add vehicle (issue 17): a transporter registers a vehicle (soko.logistics.vehicles); the
# Luganda follows the web app's (web/src/pages/transport/messages.ts: "ekidduka", "pulaati")
EN.update(
    {
        "menu.sell": "3 Sell produce",
        "menu.vehicle": "3 Add vehicle",
        "menu.listings": "\n4 My listings",
        "veh_type": "Add vehicle. Type:",
        "vehicle.boda_boda": "Boda-boda",
        "vehicle.bicycle": "Bicycle",
        "vehicle.pickup": "Pick-up",
        "vehicle.van": "Van",
        "vehicle.lorry": "Lorry",
        "veh_plate": "Number plate (e.g. UAB 123C):",
        "hint.plate": "A plate like UAB 123C. ",
        "veh_capacity": "How many kg it carries (e.g. 1500):",
        "hint.capacity": "1 to 40000 kg. ",
        "veh_base": "District you work from (e.g. Gulu):",
        "veh_districts": "Districts: {districts}\nAdd another district or 0 when done:",
        "hint.district_twice": "Already added. ",
        "veh_per_km": "Price per km in UGX (e.g. 1500):",
        "hint.per_km": "1 to 100000 UGX. ",
        "veh_minimum": "Minimum fare in UGX (e.g. 10000; 0 for none):",
        "hint.minimum": "0 to 10000000 UGX. ",
        "veh_confirm": "Add {type} {plate}, {kg}kg, {districts}, UGX {per_km}/km, min UGX {minimum}, "
        "every day?",
        "vehicle_added": "Vehicle {plate} added: buyers can book it now. Dial again and choose 2 for your "
        "jobs.",
        "plate_taken": "A vehicle with plate {plate} is already on Soko.",
        "vehicle_refused": "Soko could not add this vehicle. Please check it and try again.",
    }
)
LG.update(
    {
        "menu.sell": "3 Tunda ebirime",
        "menu.vehicle": "3 Wandiisa ekidduka",
        "menu.listings": "\n4 Bye ntunda",
        "veh_type": "Wandiisa ekidduka. Kika:",
        "vehicle.boda_boda": "Bodaboda",
        "vehicle.bicycle": "Ggaali",
        "vehicle.pickup": "Pikapu",
        "vehicle.van": "Vaani",
        "vehicle.lorry": "Loole",
        "veh_plate": "Ennamba ya pulaati (okug. UAB 123C):",
        "hint.plate": "Pulaati nga UAB 123C. ",
        "veh_capacity": "Kyetikka kilo mmeka (okug. 1500):",
        "hint.capacity": "Kilo 1 okutuuka 40000. ",
        "veh_base": "Disitulikiti gy'okolera (okug. Gulu):",
        "veh_districts": "Disitulikiti: {districts}\nYingiza endala oba 0 ng'omaze:",
        "hint.district_twice": "Eri dda. ",
        "veh_per_km": "Omuwendo ku km mu UGX (okug. 1500):",
        "hint.per_km": "UGX 1 okutuuka 100000. ",
        "veh_minimum": "Ssente ezisinga obutono mu UGX (okug. 10000; 0 tewali):",
        "hint.minimum": "UGX 0 okutuuka 10000000. ",
        "veh_confirm": "Wandiisa {type} {plate}, {kg}kg, {districts}, UGX {per_km}/km, obutono UGX "
        "{minimum}, buli lunaku?",
        "vehicle_added": "Ekidduka {plate} kiwandiisiddwa: abaguzi basobola okukisaba kati. Ddamu okukuba "
        "olonde 2 olabe emirimu.",
        "plate_taken": "Ekidduka ekirina pulaati {plate} kiri dda ku Soko.",
        "vehicle_refused": "Soko eremeddwa okuwandiisa ekidduka kino. Kikebere oddemu.",
    }
)

STRINGS: dict[Language, dict[str, str]] = {"en": EN, "lg": LG}


def t(language: Language, key: str, **values: object) -> str:
    return STRINGS[language][key].format(**values)


# ---- 9 My coop (issue 18): a cooperative's member commits a quantity, sees and confirms their part
# of pooled orders (soko.coops). Luganda: "ekibiina" (the coop), "okweyama" (to commit/pledge),
# "omugabo" (a share), as the coops domain's SMS says them.
EN["main"] += "\n9 My coop"
LG["main"] += "\n9 Ekibiina kyange"
EN.update(
    {
        "menu.coop": "\n9 My coop",
        "coops": "Your coops:",
        "coop": "{name}\n1 Commit a quantity\n2 My allocations",
        "coop_choose_crop": "Which crop do you commit?",
        "coop_ask_kg": "How many kg of {crop} do you commit to the coop?",
        "coop_confirm_commit": "Commit {kg}kg {crop} to {name}?",
        "coop_allocs": "Your part of pooled orders:",
        "allocstatus.proposed": "to supply",
        "allocstatus.confirmed": "delivered",
        "allocstatus.paid": "paid",
        "coop_alloc": "Supply {kg}kg {crop} for a pooled order ({status}).",
        "coop_alloc.confirm": "1 I will supply it",
        "coop_alloc.confirmed": "You confirmed it.",
        "coop_confirm_alloc": "Confirm you supply {kg}kg {crop}?",
        "no_coop": "You are in no cooperative. Ask your coop's manager to add your phone number.",
        "coop_committed": "Committed {kg}kg {crop}. It goes into the coop's next pooled listing.",
        "coop_pooled": "Committed {kg}kg {crop}. It is on sale now in the coop's pooled listing.",
        "coop_gone": "This is no longer possible. Ask your coop's manager.",
        "no_allocations": "You have no allocations yet. We send an SMS when a pooled order is paid.",
        "coop_confirmed": "Thank you. You confirmed {kg}kg {crop}; bring it to your coop's manager.",
        "coop_released": "That order ended unpaid; your {crop} is back in your commitment.",
    }
)
LG.update(
    {
        "menu.coop": "\n9 Ekibiina kyange",
        "coops": "Ebibiina byo:",
        "coop": "{name}\n1 Weeyame obungi\n2 Emigabo gyange",
        "coop_choose_crop": "Kirime ki ky'weeyama?",
        "coop_ask_kg": "Kg mmeka eza {crop} z'weeyama eri ekibiina?",
        "coop_confirm_commit": "Weeyame kg {kg} eza {crop} eri {name}?",
        "coop_allocs": "Emigabo gyo mu oda z'ekibiina:",
        "allocstatus.proposed": "okuleeta",
        "allocstatus.confirmed": "gutuusiddwa",
        "allocstatus.paid": "gusasuddwa",
        "coop_alloc": "Leeta kg {kg} eza {crop} ku oda y'ekibiina ({status}).",
        "coop_alloc.confirm": "1 Nja kuzireeta",
        "coop_alloc.confirmed": "Wakakasa dda.",
        "coop_confirm_alloc": "Kakasa nti oleeta kg {kg} eza {crop}?",
        "no_coop": "Tolina kibiina. Saba omukulembeze w'ekibiina kyo akuyingize n'essimu yo.",
        "coop_committed": "Weeyamye kg {kg} eza {crop}. Zijja ku kutunda kw'ekibiina okuddako.",
        "coop_pooled": "Weeyamye kg {kg} eza {crop}. Ziri ku katale kati mu kutunda kw'ekibiina.",
        "coop_gone": "Kino tekikyasoboka. Buuza omukulembeze w'ekibiina.",
        "no_allocations": "Tolina migabo kati. Tukuweereza SMS oda y'ekibiina bw'esasulwa.",
        "coop_confirmed": "Webale. Okakasizza kg {kg} eza {crop}; zireete eri omukulembeze w'ekibiina.",
        "coop_released": "Oda eyo tesasuddwa; {crop} yo ezzeeyo mu bye weeyama.",
    }
)
