// A customer as every layer sees it: the customers feature's store is its only writer.

export interface Customer {
  id: number;
  name: string;
  email: string;
  externalRef: string | null;
  createdAt: string;
}
