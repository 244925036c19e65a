import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, messageOf, money, stepUpChallenge, type Address, type Checkout, type Order, type PaymentMethod } from '../api';
import { ReauthPrompt } from './ReauthPrompt';

const STEPS: Array<[Checkout['step'], string]> = [
  ['address', 'Address'],
  ['payment', 'Payment'],
  ['review', 'Review'],
];
const METHODS: Array<[PaymentMethod, string]> = [
  ['card', 'Card (at the door)'],
  ['invoice', 'Invoice'],
  ['cash_on_delivery', 'Cash on delivery'],
];
const EMPTY_ADDRESS: Address = { name: '', street: '', city: '', postcode: '', country: '' };

// One key per order attempt: every retry of the same attempt (a double click, a resend after
// a timeout) sends the same key, so the server places the order once.
// crypto.randomUUID exists only in secure contexts (HTTPS, localhost); getRandomValues everywhere.
const newAttemptKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

/** The checkout wizard; its answers live in the server-side session between steps. */
export function CheckoutPanel({ onCartChanged }: { onCartChanged: () => Promise<void> }) {
  const [checkout, setCheckout] = useState<Checkout | null>(null);
  const [editing, setEditing] = useState<Checkout['step'] | null>(null);
  const [placed, setPlaced] = useState<Order | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attemptKey, setAttemptKey] = useState(newAttemptKey);
  const [placing, setPlacing] = useState(false);
  // A large order asked for the password again: the challenge of that refusal.
  const [challenge, setChallenge] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setCheckout(await api.checkout());
    } catch (e) {
      setError(messageOf(e));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      setEditing(null);
      await load();
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const place = async () => {
    if (placing) return;
    setPlacing(true);
    setError(null);
    try {
      const { order } = await api.placeOrder(attemptKey);
      setPlaced(order);
      setAttemptKey(newAttemptKey());
      await Promise.all([load(), onCartChanged()]);
    } catch (e) {
      setChallenge(stepUpChallenge(e));
      setError(messageOf(e));
    } finally {
      setPlacing(false);
    }
  };

  if (!checkout) return <p className="muted">{error ?? 'Loading…'}</p>;
  const step = editing ?? checkout.step;

  return (
    <section className="card checkout" aria-labelledby="checkout-title">
      <h2 id="checkout-title">Checkout</h2>
      {placed && (
        <div className="ok" role="status" data-testid="order-placed">
          Order placed: {placed.lines.reduce((n, line) => n + line.quantity, 0)} items, {money(placed.total_cents)}. Order number{' '}
          <code>{placed.id.slice(0, 8)}</code>.
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {step === 'cart' ? (
        <p className="muted">
          Your cart is empty. <a href="#/shop">Browse items</a>
        </p>
      ) : (
        <>
          <ol className="steps">
            {STEPS.map(([id, label]) => (
              <li key={id} aria-current={step === id ? 'step' : undefined}>
                {label}
              </li>
            ))}
          </ol>
          {step === 'address' && <AddressForm initial={checkout.address ?? EMPTY_ADDRESS} onSubmit={(address) => run(() => api.setAddress(address))} />}
          {step === 'payment' && (
            <PaymentForm
              initial={checkout.payment?.method ?? 'card'}
              onBack={() => setEditing('address')}
              onSubmit={(method) => run(() => api.setPayment(method))}
            />
          )}
          {step === 'review' && checkout.address && checkout.payment && (
            <div className="review">
              <ul className="lines">
                {checkout.lines.map((line) => (
                  <li key={line.item_id}>
                    <span>
                      {line.quantity} × {line.name}
                    </span>
                    <span>{money(line.quantity * line.price_cents)}</span>
                  </li>
                ))}
              </ul>
              <p className="total">
                Total <strong data-testid="checkout-total">{money(checkout.total_cents)}</strong>
              </p>
              <p>
                To {checkout.address.name}, {checkout.address.street}, {checkout.address.postcode} {checkout.address.city}, {checkout.address.country}{' '}
                <button type="button" className="link" onClick={() => setEditing('address')}>
                  change
                </button>
              </p>
              <p>
                Paying by {METHODS.find(([id]) => id === checkout.payment?.method)?.[1]}{' '}
                <button type="button" className="link" onClick={() => setEditing('payment')}>
                  change
                </button>
              </p>
              {challenge === null ? (
                <button type="button" onClick={place} disabled={placing}>
                  {placing ? 'Placing…' : 'Place order'}
                </button>
              ) : (
                // The same attempt key after the step-up: the retry is the same order attempt.
                <ReauthPrompt
                  challenge={challenge}
                  onConfirmed={async () => {
                    setChallenge(null);
                    await place();
                  }}
                  onCancel={() => setChallenge(null)}
                />
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}

function AddressForm({ initial, onSubmit }: { initial: Address; onSubmit: (address: Address) => Promise<void> }) {
  const [address, setAddress] = useState(initial);
  const field = (name: keyof Address, label: string, extra: Record<string, unknown> = {}) => (
    <label>
      {label}
      <input name={name} value={address[name]} onChange={(e) => setAddress({ ...address, [name]: e.target.value })} required {...extra} />
    </label>
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void onSubmit({ ...address, country: address.country.toUpperCase() });
  };
  return (
    <form onSubmit={submit}>
      {field('name', 'Full name', { autoComplete: 'name' })}
      {field('street', 'Street', { autoComplete: 'street-address' })}
      <div className="row">
        {field('postcode', 'Postcode', { autoComplete: 'postal-code' })}
        {field('city', 'City', { autoComplete: 'address-level2' })}
        {field('country', 'Country (2 letters)', { maxLength: 2, autoComplete: 'country', placeholder: 'GB' })}
      </div>
      <button type="submit">Continue to payment</button>
    </form>
  );
}

function PaymentForm({ initial, onBack, onSubmit }: { initial: PaymentMethod; onBack: () => void; onSubmit: (method: PaymentMethod) => Promise<void> }) {
  const [method, setMethod] = useState(initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void onSubmit(method);
  };
  return (
    <form onSubmit={submit}>
      <fieldset>
        <legend>Payment method</legend>
        {METHODS.map(([id, label]) => (
          <label key={id} className="check">
            <input type="radio" name="method" value={id} checked={method === id} onChange={() => setMethod(id)} /> {label}
          </label>
        ))}
      </fieldset>
      <div className="row">
        <button type="button" className="secondary" onClick={onBack}>
          Back
        </button>
        <button type="submit">Review order</button>
      </div>
    </form>
  );
}
